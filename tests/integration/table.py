#!/usr/bin/env python3
"""The table of cases: every way into connect, against model.py's rules.

Run by test_table.sh inside the test's private netns, as a process of its
private cgroup, with its private pin folder. For each instance (relay x
--loopback4 x --show-relay x --all-netns) it starts lo6relay, sets the ports'
modes, then walks rows: socket (family, protocol, plain / IPV6_V6ONLY /
bound to [::1] / in another netns) x destination x port (mode, default,
Linux listener) x sequence (one connect; connect again; unconnected sendto;
a connection open across a second start, with the same options or with
--show-relay or --loopback4 flipped). Each row's expectation comes from
model.expect(); the row passes when the kernel agrees on where it landed
(or the errno), getpeername, getsockname, the UDP reply's source and the
exact counters that moved. One TAP line per group of rows.

usage: table.py LO6RELAY PIN CGROUP CONFIG
"""
import ctypes
import errno
import itertools
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from dataclasses import replace

import bpfsys
import model
from model import LOOP1, OTHER6, Instance, Port, Sock

LO6RELAY, PIN, CG, CONF = sys.argv[1:5]
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000

# --- the kernel's answers, read directly -----------------------------------

STATS_LAYOUT = bpfsys.layout("struct lo6_port_stats")
FIELDS = tuple(STATS_LAYOUT.names())


class Stats:
    """port_stats, read with the bpf syscall: a subprocess a row is too slow."""

    def __init__(self):
        self.map = None

    def open(self):
        self.map = bpfsys.Map(PIN + "/" + bpfsys.C["LO6_MAP_STATS"], STATS_LAYOUT.name)

    def close(self):
        if self.map is not None:
            self.map.close()
            self.map = None

    def of(self, port):
        val = self.map.lookup(port)
        return dict.fromkeys(FIELDS, 0) if val is None else STATS_LAYOUT.unpack(val)


STATS = Stats()

# --- the other network namespace --------------------------------------------


class OtherNetns:
    """A child that made a netns with lo up; we enter it to make sockets."""

    def __init__(self):
        r, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(r)
            if libc.unshare(CLONE_NEWNET) != 0:
                os._exit(1)
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
            os.write(w, b"x")
            signal.alarm(600)  # bounded: never outlives a broken run for long
            signal.pause()
            os._exit(0)
        os.close(w)
        if os.read(r, 1) != b"x":
            raise SystemExit("cannot make the other netns")
        os.close(r)
        self.fd = os.open("/proc/%d/ns/net" % self.pid, os.O_RDONLY)
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def socket(self, fam, kind):
        if libc.setns(self.fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        try:
            return socket.socket(fam, kind)
        finally:
            libc.setns(self.home, CLONE_NEWNET)

    def end(self):
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


# --- servers -----------------------------------------------------------------

KINDS = {"tcp": socket.SOCK_STREAM, "udp": socket.SOCK_DGRAM}


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Servers:
    """Every server the table needs, in one process, non-blocking."""

    def __init__(self, other):
        self.by_port = {}  # (proto, port) -> [(id, sock)]
        self.other = other

    def add(self, proto, port, addr, where="here"):
        fam = family_of(addr)
        s = (self.other.socket(fam, KINDS[proto]) if where == "other"
             else socket.socket(fam, KINDS[proto]))
        # Specific addresses beside a dual-stack [::] on one port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if addr == "::" else 1)
        s.bind((addr, port))
        if proto == "tcp":
            s.listen(64)
        s.setblocking(False)
        sid = addr if where == "here" else "other:" + addr
        self.by_port.setdefault((proto, port), []).append((sid, s))

    def strays(self, wait=0.1):
        """Anything that arrived after its row was checked."""
        socks = [s for v in self.by_port.values() for _, s in v]
        select.select(socks, [], [], wait)
        return ["a stray %s on %d at %s arrived late" % (proto, port, sid)
                for (proto, port) in self.by_port
                for sid in self.take(proto, port, 0)[0]]

    def take(self, proto, port, wait):
        """Ids of the servers that got a connection or datagram, and the UDP sender."""
        socks = self.by_port.get((proto, port), [])
        got, sender = [], None
        for attempt in (0, 1):
            for sid, s in socks:
                try:
                    if proto == "tcp":
                        c, _ = s.accept()
                        c.close()
                    else:
                        _, sender = s.recvfrom(64)
                        s.sendto(b"r", sender)
                    got.append(sid)
                except BlockingIOError:
                    pass
            if got or not wait or not socks or attempt:
                break
            select.select([s for _, s in socks], [], [], wait)
        return got, sender


# --- the CLI -----------------------------------------------------------------


def lo6(*args, env=None):
    r = subprocess.run([LO6RELAY, "--pin-dir", PIN, "--config", CONF] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit("lo6relay %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r.stdout


def consomme_root():
    """A WSL2 system in Consomme mode, as wslinfo names it (user/system/wsl.c reads it below a root)."""
    root = tempfile.mkdtemp(prefix="lo6-consomme-")
    for rel, text in (("proc/version", "Linux version 6.6.87.2-microsoft-standard-WSL2\n"),
                      ("fixture/wslinfo-networking-mode", "consomme\n")):
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as f:
            f.write(text)
    return root


CONSOMME = consomme_root()


def start(inst):
    args = ["start", "--cgroup", CG, "--relay", inst.relay, "--ports", "none"]
    args += [o for o, on in (("--loopback4", inst.loopback4), ("--show-relay", inst.show_relay),
                             ("--all-netns", inst.all_netns), ("--ipv4-localhost", inst.ipv4_localhost))
             if on]
    env = dict(os.environ)
    if inst.simulate:
        env["LO6RELAY_TEST_LACK"] = " ".join(sorted(inst.simulate))
    if inst.tcp_only:
        env["LO6RELAY_TEST_WSL_ROOT"] = CONSOMME
    lo6(*args, env=env)


# --- rows --------------------------------------------------------------------

TCP_TIMEOUT = 2.0


def client(sock, other):
    fam = socket.AF_INET6 if sock.family == 6 else socket.AF_INET
    s = other.socket(fam, KINDS[sock.proto]) if sock.variant == "other_netns" else socket.socket(fam, KINDS[sock.proto])
    # Blocking, bounded by SO_SNDTIMEO: python's settimeout makes connect
    # non-blocking, and a second connect after a failed non-blocking one
    # answers ECONNABORTED (__inet_stream_connect) instead of connecting.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", int(TCP_TIMEOUT), 0))
    if sock.family == 6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if sock.variant == "v6only" else 0)
        if sock.variant == "bound_v6":
            s.bind(("::1", 0))
    return s


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if isinstance(e, OSError) and e.errno else "timeout"


def observe(s, sock, port, servers, how, dest, landing=False):
    """What the kernel did: a dict shaped like model.Expect's fields.
    LANDING: the model expects a server to get it (waited for longer)."""
    got = {"errno": None, "lands": None, "peer": None, "local": None, "reply": None}
    try:
        if how == "sendto":
            s.sendto(b"q", (dest, port))
        elif how == "connect_inet":
            connect_inet(s, dest, port)
        else:
            s.connect((dest, port))
    except OSError as e:
        got["errno"] = errname(e)
        return got
    if how != "sendto":
        try:
            got["peer"] = s.getpeername()[0]
        except OSError:
            pass  # ENOTCONN: UDP "connected" to port 0
        got["local"] = s.getsockname()[0]
        if sock.proto == "udp":
            s.send(b"q")
    # Loopback delivers within connect() and send(): a TCP connection is in
    # the accept queue, a datagram in the server's, unless the softirq that
    # carries it ran late (seen once in a loaded guest): a datagram the model
    # expects somewhere is waited for. One it expects nowhere is not; a late
    # one would show in the next row or the group's final sweep.
    wait = 0.2 if sock.proto == "tcp" else (0.5 if landing else 0)
    landed, _ = servers.take(sock.proto, port, wait)
    got["lands"] = ",".join(landed) or None
    # A reply from a wildcard server comes from the route's source and a
    # connected socket may drop it: wait only for replies from a server of
    # that address.
    if sock.proto == "udp" and landed and landed[0] not in model.WILDCARDS:
        r, _, _ = select.select([s], [], [], 0.5)
        if r:
            try:
                got["reply"] = s.recvfrom(64)[1][0]
            except OSError as e:
                got["reply"] = "err " + errname(e)
    return got


def connect_inet(s, addr, port):
    """connect() with an AF_INET address, on any socket (python would make a v4-mapped one)."""
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton(addr))
    if libc.connect(s.fileno(), sa, len(sa)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def disconnect(s):
    """connect(AF_UNSPEC): no hook runs."""
    sa = struct.pack("=H14x", socket.AF_UNSPEC)
    libc.connect(s.fileno(), sa, len(sa))


def drain(s):
    s.setblocking(False)
    try:
        while True:
            s.recv(64)
    except (BlockingIOError, InterruptedError, ConnectionRefusedError):
        pass
    finally:
        s.setblocking(True)
    s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def counters_moved(before, after):
    return {k: after[k] - before[k] for k in FIELDS if after[k] != before[k]}


def compare(exp, got, moved, sock):
    want = {"errno": exp.errno, "lands": exp.lands, "peer": exp.peer, "local": exp.local}
    if want["lands"] and sock.variant == "other_netns":
        want["lands"] = "other:" + want["lands"]
    bad = [("%s: want %s, got %s" % (k, want[k], got[k])) for k in want if want[k] != got[k]]
    if sock.proto == "udp" and exp.reply is not None and got["reply"] != exp.reply:
        bad.append("reply from: want %s, got %s" % (exp.reply, got["reply"]))
    if moved is not None and moved != exp.counters:
        bad.append("counters: want %s, got %s" % (exp.counters, moved))
    return bad


FAILURES_SHOWN = int(os.environ.get("LO6_TABLE_SHOW", "8"))


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def group(self, name, failures, rows):
        self.n += 1
        print("%s %d - %s: %d rows" % ("not ok" if failures else "ok", self.n, name, rows))
        for f in failures[:FAILURES_SHOWN]:
            print("#   " + f)
        if len(failures) > FAILURES_SHOWN:
            print("#   ... and %d more failing rows" % (len(failures) - FAILURES_SHOWN))
        self.failed += bool(failures)
        sys.stdout.flush()


# --- the table's dimensions --------------------------------------------------

BASE = 21000
UNSERVED = BASE + 99  # mode always, nothing listens: a redirect is refused


def port_number(listener, mode):
    return BASE + 10 * model.LISTENERS.index(listener) + model.MODES.index(mode)


# The default mode matters only where a port's own mode is off; the other
# phases walk those ports and one override.
PHASES = {
    "off": [(l, m) for l in model.LISTENERS for m in model.MODES],
    "always": [(l, "off") for l in model.LISTENERS] + [("none", "never")],
    "auto": [(l, "off") for l in model.LISTENERS] + [("none", "never")],
    "never": [(l, "off") for l in model.LISTENERS] + [("none", "always")],
}
DESTS = {6: ("::1", "::ffff:127.0.0.1", "::ffff:127.0.1.1", "::ffff:127.0.0.3", OTHER6),
         4: ("127.0.0.1", "127.0.1.1", "127.0.0.3")}
VARIANTS = {6: ("plain", "v6only", "bound_v6", "other_netns"), 4: ("plain", "other_netns")}
INSTANCES = [Instance(relay=r, loopback4=l4, show_relay=sr, all_netns=an)
             for r, l4, sr, an in itertools.product((LOOP1, "127.0.0.3"), (False, True), (False, True),
                                                   (False, True))]
# --ipv4-localhost: 127.0.0.1 goes to a relay elsewhere when Linux has nobody
# there, and changes nothing where the relay is 127.0.0.1.
INSTANCES += [Instance(relay=r, loopback4=l4, ipv4_localhost=True)
              for r, l4 in ((LOOP1, False), ("127.0.0.3", False), ("127.0.0.3", True), (model.GATEWAY, True))]
# Consomme mode (TCP only to 127.0.0.1), and a relay named elsewhere in it.
INSTANCES += [Instance(tcp_only=True), Instance(relay="127.0.0.3", tcp_only=True)]
# What the kernel may not offer (user/instance/probe.c), one at a time, faked by the
# test build: each changes what the rules can do.
# A relay outside 127/8 (NAT mode's gateway): 127.0.0.1 must stay Linux's.
INSTANCES += [Instance(relay=model.GATEWAY, loopback4=l4) for l4 in (False, True)]
INSTANCES += [Instance(loopback4=True, simulate=frozenset([lack]))
              for lack in ("sk_storage", "netns_cookie", "sock_lookup", "sock_cast")]
# The kernel matrix's guests (tools/vmtest, minutes under TCG) walk every row
# with fewer instances: what differs between kernels is which helpers and
# hooks they offer, not the rules; these four still meet every option.
if os.environ.get("LO6_TABLE_SCOPE") == "kernel":
    INSTANCES = [Instance(), Instance(relay="127.0.0.3", loopback4=True, all_netns=True),
                 Instance(show_relay=True, tcp_only=True),
                 Instance(relay=model.GATEWAY, loopback4=True, ipv4_localhost=True)]


def dests_for(sock):
    # The other netns has only lo: no OTHER6 there.
    return [d for d in DESTS[sock.family] if not (sock.variant == "other_netns" and d == OTHER6)]


def run_rows(tap, name, rows, inst, servers, other, rules_hit):
    """ROWS: (port, sock, dest, how). One TAP line for all of them."""
    failures = []
    for port, sock, dest, how in rows:
        exp = model.expect(inst, port, sock, dest, how)
        rules_hit[exp.rule] = rules_hit.get(exp.rule, 0) + 1
        s = client(sock, other)
        before = STATS.of(port.number)
        got = observe(s, sock, port.number, servers, how, dest, bool(exp.lands))
        s.close()
        moved = counters_moved(before, STATS.of(port.number))
        bad = compare(exp, got, moved, sock)
        if bad:
            failures.append("%s %s [%s]:%d mode %s default %s listener %s (rule %s): %s" % (
                how, sock.name(), dest, port.number, port.mode, port.default, port.listener,
                exp.rule, "; ".join(bad)))
    tap.group(name, failures + servers.strays(), len(rows))


def single_rows(inst, phase):
    rows = []
    for fam, proto in itertools.product((6, 4), ("tcp", "udp")):
        for variant in VARIANTS[fam]:
            sock = Sock(fam, proto, variant)
            # Socket variants other than plain meet every port only once, with the default off.
            pairs = PHASES[phase] if variant == "plain" or phase == "off" else []
            for (listener, mode), dest in itertools.product(pairs, dests_for(sock)):
                rows.append((Port(port_number(listener, mode), mode, phase, listener), sock, dest, "connect"))
        if phase == "off":
            rows.append((Port(0, "off", phase, "none", served=False), Sock(fam, proto), "::1" if fam == 6 else "127.0.1.1", "connect"))
            if proto == "udp":
                for (listener, mode), dest in itertools.product(PHASES["off"], DESTS[fam]):
                    rows.append((Port(port_number(listener, mode), mode, phase, listener), Sock(fam, proto), dest, "sendto"))
    return rows


def again_rows(tap, inst, servers, other, rules_hit):
    """A socket that connects again: UDP after any connect, TCP after a refused
    one; and an IPv6 UDP socket disconnected (AF_UNSPEC), then used to sendto
    or to connect to an AF_INET address. The second call decides afresh and
    the mark follows it (model: expect_again, expect_after_disconnect)."""
    failures, n = [], 0
    # The second connect meets every mode, with a Linux listener on [::1].
    seconds = [Port(port_number("::1", m), m, "off", "::1") for m in model.MODES]
    served = Port(port_number(LOOP1, "always"), "always", "off", LOOP1)
    rows = []
    for fam, proto in itertools.product((6, 4), ("tcp", "udp")):
        sock = Sock(fam, proto)
        first = Port(UNSERVED, "always", "off", "none", served=False) if proto == "tcp" else served
        for second, d1, d2 in itertools.product(seconds, DESTS[fam], DESTS[fam]):
            rows.append((sock, first, second, d1, d2, "connect",
                         model.expect_again(inst, first, second, sock, d1, d2)))
    for second, d1, how in itertools.product(seconds, DESTS[6], ("sendto", "inet")):
        for d2 in DESTS[6] if how == "sendto" else DESTS[4]:
            rows.append((Sock(6, "udp"), served, second, d1, d2, "unspec+" + how,
                         model.expect_after_disconnect(inst, second, d2, how)))
    for sock, first, second, d1, d2, how, exp in rows:
        if exp is None:
            continue
        n += 1
        rules_hit[exp.rule] = rules_hit.get(exp.rule, 0) + 1
        s = client(sock, other)
        try:
            s.connect((d1, first.number))
            if sock.proto == "udp":
                s.send(b"1")
                servers.take(sock.proto, first.number, 0.02)
        except OSError:
            pass
        # The first reply, or the ICMP error of a datagram to nobody, must
        # not be taken for the second call's.
        if sock.proto == "udp":
            drain(s)
        if how.startswith("unspec+"):
            disconnect(s)
        before = STATS.of(second.number)
        got = observe(s, sock, second.number, servers,
                      {"unspec+sendto": "sendto", "unspec+inet": "connect_inet"}.get(how, "connect"), d2,
                      bool(exp.lands))
        if got["errno"] == "EAFNOSUPPORT":
            # Refused, the socket is still connected to its first peer: its names now.
            got["peer"], got["local"] = s.getpeername()[0], s.getsockname()[0]
        s.close()
        moved = counters_moved(before, STATS.of(second.number))
        bad = compare(exp, got, moved, sock)
        if bad:
            failures.append("%s [%s]:%d then %s [%s]:%d mode %s (rule %s): %s" % (
                sock.name(), d1, first.number, how, d2, second.number, second.mode, exp.rule,
                "; ".join(bad)))
    tap.group("%s: again (connect again; UDP disconnected, then sendto or an AF_INET connect)"
              % inst.name(), failures + servers.strays(), n)


# Other protocols the connect hooks see: (socket type, protocol; None: ICMP of the family).
PROTOCOLS = {"mptcp": (socket.SOCK_STREAM, 262), "ping": (socket.SOCK_DGRAM, None),
             "udplite": (socket.SOCK_DGRAM, 136)}
PROTOCOL_PORTS = (LOOP1, "::1")  # listeners of the two ports (mode always) they meet


def protocol_try(sock, dest, port, servers):
    """One connect of another protocol: (errno, peer, local, who got it), or
    None where this kernel (or this netns's ping_group_range) offers no such socket."""
    kind, num = PROTOCOLS[sock.proto]
    if num is None:
        num = socket.IPPROTO_ICMPV6 if sock.family == 6 else socket.IPPROTO_ICMP
    try:
        s = socket.socket(socket.AF_INET6 if sock.family == 6 else socket.AF_INET, kind, num)
    except OSError:
        return None
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", int(TCP_TIMEOUT), 0))
    try:
        s.connect((dest, port))
        got = (None, s.getpeername()[0], s.getsockname()[0])
    except OSError as e:
        got = (errname(e), None, None)
    stream = kind == socket.SOCK_STREAM
    landed, _ = servers.take("tcp" if stream else "udp", port, 0.2 if stream and got[0] is None else 0)
    s.close()
    return got + (",".join(landed) or None,)


def protocol_cases():
    for proto, fam in itertools.product(PROTOCOLS, (6, 4)):
        for listener, dest in itertools.product(PROTOCOL_PORTS, DESTS[fam]):
            yield Sock(fam, proto), Port(port_number(listener, "always"), "always", "off", listener), dest


def protocol_reference(servers):
    """What each case does with no program attached: the kernel's own answer."""
    return {case: protocol_try(case[0], case[2], case[1].number, servers) for case in protocol_cases()}


def protocol_rows(tap, inst, servers, reference, rules_hit):
    """Other protocols than TCP and UDP: where the rules leave them alone, each
    connect must do exactly what it did with no program attached, and count nothing."""
    failures, n = [], 0
    for (sock, port, dest), ref in reference.items():
        rule, _ = model.decide(inst, port, sock, dest)
        if ref is None or rule != "other_protocol":
            continue  # the kernel lacks it, or (MPTCP unseen) the TCP rows cover it
        n += 1
        rules_hit[rule] = rules_hit.get(rule, 0) + 1
        before = STATS.of(port.number)
        got = protocol_try(sock, dest, port.number, servers)
        moved = counters_moved(before, STATS.of(port.number))
        if got != ref or moved:
            failures.append("%s [%s]:%d: want %s as without lo6relay, nothing counted; got %s, counted %s" % (
                sock.name(), dest, port.number, ref, got, moved))
    tap.group("%s: other protocols (MPTCP, ICMP ping, UDP-Lite)" % inst.name(), failures + servers.strays(), n)


def closed_rows(tap, inst, servers, other, rules_hit):
    """TCP connections that closed: the local name stays what it was (expect_closed)."""
    port = Port(port_number(LOOP1, "always"), "always", "off", LOOP1)
    failures, n = [], 0
    for fam in (6, 4):
        sock = Sock(fam, "tcp")
        for dest in DESTS[fam]:
            want = model.expect_closed(inst, port, sock, dest)
            if want is None:
                continue
            n += 1
            s = client(sock, other)
            s.connect((dest, port.number))
            servers.take("tcp", port.number, 0.2)  # accepted and closed at once
            s.shutdown(socket.SHUT_WR)
            s.recv(1)  # the server's FIN: both sides are closed now
            got = s.getsockname()[0]
            s.close()
            if got != want:
                failures.append("%s [%s]:%d closed: getsockname: want %s, got %s" % (
                    sock.name(), dest, port.number, want, got))
    tap.group("%s: TCP connections closed, then getsockname" % inst.name(), failures + servers.strays(), n)


def names_now(s, sock, port, servers, landed, landing):
    """An open socket's names now and, for UDP, where a datagram sent now lands
    (LANDING: the model expects it somewhere) and its reply's source."""
    got = {"errno": None, "lands": ",".join(landed) or None, "peer": s.getpeername()[0],
           "local": s.getsockname()[0], "reply": None}
    if sock.proto == "udp":
        s.send(b"q")
        landed, _ = servers.take("udp", port, 0.5 if landing else 0.02)
        got["lands"] = ",".join(landed) or None
        if landed and select.select([s], [], [], 0.5)[0]:
            got["reply"] = s.recvfrom(64)[1][0]
    return got


def restart_rows(tap, first, then, servers, other, rules_hit):
    """Connections opened under FIRST, open across a start with THEN's options."""
    port = Port(port_number(LOOP1, "always"), "always", "off", LOOP1)
    opened, failures = [], []
    start(first)
    for fam, proto in itertools.product((6, 4), ("tcp", "udp")):
        sock = Sock(fam, proto)
        for dest in DESTS[fam]:
            exp = model.expect_across(first, then, port, sock, dest)
            if exp.errno:
                continue  # nothing stays open
            rules_hit[exp.rule] = rules_hit.get(exp.rule, 0) + 1
            s = client(sock, other)
            s.connect((dest, port.number))
            landed = []
            if proto == "tcp":
                landed, _ = servers.take(proto, port.number, 0.2)
            opened.append((s, sock, dest, exp, landed))
    start(then)  # the program is replaced, the maps kept
    for s, sock, dest, exp, landed in opened:
        got = names_now(s, sock, port.number, servers, landed, bool(exp.lands))
        bad = compare(exp, got, None, sock)  # the counters moved before the start
        if bad:
            failures.append("%s [%s]:%d across a start: %s" % (sock.name(), dest, port.number, "; ".join(bad)))
    # UDP sockets the first instance redirected, connected again under THEN
    # to an address no rule rewrites, then read after a third start.
    again = []
    for s, sock, dest, exp, _ in opened:
        d2 = LOOP1 if sock.family == 4 else "::ffff:" + LOOP1
        exp2 = model.expect_reconnected_across(first, then, port, sock, dest, d2)
        if sock.proto != "udp" or not exp.redirected or exp2 is None:
            s.close()
            continue
        s.connect((d2, port.number))
        again.append((s, sock, dest, d2, exp2))
    start(first)
    for s, sock, dest, d2, exp2 in again:
        got = names_now(s, sock, port.number, servers, (), bool(exp2.lands))
        s.close()
        bad = compare(exp2, got, None, sock)
        if bad:
            failures.append("%s [%s]:%d, then [%s] under the second start, read after a third: %s" % (
                sock.name(), dest, port.number, d2, "; ".join(bad)))
    how = "the same options" if then == first else then.name()
    tap.group("%s: connections open across a second start (%s), UDP ones connected again and read "
              "after a third" % (first.name(), how), failures, len(opened) + len(again))


def main():
    with open(os.path.join(CG, "cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))
    other = OtherNetns()
    servers = Servers(other)
    ports = sorted({port_number(l, m) for l in model.LISTENERS for m in model.MODES})
    for p in ports:
        listener = model.LISTENERS[(p - BASE) // 10]
        for proto in ("tcp", "udp"):
            for addr in model.STAND_INS + (() if listener == "none" else (listener,)):
                servers.add(proto, p, addr)
            for addr in (LOOP1, "::1"):
                servers.add(proto, p, addr, "other")
    tap, rules_hit, kernel_lacks = Tap(), {}, None
    reference = protocol_reference(servers)  # before any start: nothing attached yet
    lacking = sorted({"%s%d" % (c[0].proto, c[0].family) for c, r in reference.items() if r is None})
    print("# other protocols this kernel offers no socket for: %s" % (", ".join(lacking) or "none"))
    try:
        for inst in INSTANCES:
            start(inst)
            lacks = frozenset(json.loads(lo6("status", "--json")).get("kernel_lacks", "").split())
            if kernel_lacks is None and not inst.simulate:
                kernel_lacks = lacks  # what this kernel itself does not offer
            inst = replace(inst, lacks=lacks)
            for mode in ("always", "auto", "never"):
                spec = ",".join(str(port_number(l, mode)) for l in model.LISTENERS)
                lo6("allow", "--mode", mode, spec + ("," + str(UNSERVED) if mode == "always" else ""))
            STATS.open()
            for phase in PHASES:
                lo6("default", phase)
                run_rows(tap, "%s: default %s" % (inst.name(), phase), single_rows(inst, phase), inst,
                         servers, other, rules_hit)
            lo6("default", "off")
            protocol_rows(tap, inst, servers, reference, rules_hit)
            closed_rows(tap, inst, servers, other, rules_hit)
            again_rows(tap, inst, servers, other, rules_hit)
            # The same options, then each of the two that decide the reverse hooks flipped.
            for then in (inst, replace(inst, show_relay=not inst.show_relay),
                         replace(inst, loopback4=not inst.loopback4)):
                restart_rows(tap, inst, then, servers, other, rules_hit)
            STATS.close()
            lo6("stop")
        dead = [r for r in model.RULE_NAMES
                if r not in rules_hit and model.RULE_NEEDS.get(r) not in kernel_lacks]
        tap.group("every rule decided some row (%s)" % ", ".join("%s %d" % (r, rules_hit.get(r, 0))
                                                                 for r in model.RULE_NAMES),
                  ["rule %s decided no row: the table does not walk it" % r for r in dead], sum(rules_hit.values()))
    finally:
        other.end()
        shutil.rmtree(CONSOMME, ignore_errors=True)
    print("1..%d" % tap.n)
    print("# %d rows in all" % sum(rules_hit.values()))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
