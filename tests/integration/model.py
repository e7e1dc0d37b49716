#!/usr/bin/env python3
"""The rules of lo6relay, written down once, for the table of cases.

expect() says what one connect should do: where it lands (or which errno),
what getpeername, getsockname and a UDP reply's source say, and which
counters move. It never runs the program: the table (table.py) runs the
real thing and compares. The rules are README's, in RULES order (the first
that applies decides); the kernel facts they rest on are in KERNEL below.

`python3 model.py --readme` prints the block README's "What is covered"
carries between its table markers; tests/cli/test_tools.sh checks it is
there, word for word.
"""
import functools
import ipaddress
import sys
from dataclasses import dataclass, field

LOOP1 = "127.0.0.1"
OTHER6 = "2001:db8::1"  # a local IPv6 address that is not loopback (on lo, in the test's netns)
GATEWAY = "198.18.0.1"  # a relay outside 127/8, as NAT mode's gateway (on lo, in the test's netns)

# A port's Linux-side listener, beside the relay stand-ins every port has
# (127.0.0.3:P and GATEWAY:P): none, [::1]:P, dual-stack [::]:P, 127.0.1.1:P,
# 127.0.0.1:P (also "Windows" for relay 127.0.0.1, where WSL carries that
# address itself) and 0.0.0.0:P.
LISTENERS = ("none", "::1", "::", "127.0.1.1", LOOP1, "0.0.0.0")
WILDCARDS = ("::", "0.0.0.0")
MODES = ("off", "always", "auto", "never")
# What the test serves on every port, whatever the listener: "Windows" for
# relay 127.0.0.3 and GATEWAY, and OTHER6 (untouched v6).
STAND_INS = ("127.0.0.3", GATEWAY, OTHER6)


@dataclass(frozen=True)
class Instance:
    relay: str = LOOP1
    loopback4: bool = False
    show_relay: bool = False
    all_netns: bool = False
    ipv4_localhost: bool = False
    tcp_only: bool = False  # WSL's Consomme mode, from a fixture root (LO6RELAY_TEST_WSL_ROOT)
    lacks: frozenset = frozenset()  # names from `status --json` kernel_lacks
    simulate: frozenset = frozenset()  # lacks the test build fakes (LO6RELAY_TEST_LACK)

    @property
    def marks(self):
        return not self.show_relay and "sk_storage" not in self.lacks

    def name(self):
        opts = ["relay %s" % self.relay]
        opts += [o for o, on in (("--loopback4", self.loopback4), ("--show-relay", self.show_relay),
                                 ("--all-netns", self.all_netns),
                                 ("--ipv4-localhost", self.ipv4_localhost),
                                 ("in Consomme mode", self.tcp_only)) if on]
        opts += ["lacking " + name for name in sorted(self.simulate)]
        return " ".join(opts)


@dataclass(frozen=True)
class Port:
    number: int
    mode: str = "off"       # the port's own mode (off: the default decides)
    default: str = "off"    # the instance's default mode at the time
    listener: str = "none"  # Linux-side listener besides the stand-ins
    served: bool = True     # False: nothing listens on this port at all

    def servers(self):
        if not self.served:
            return ()
        return STAND_INS + (() if self.listener == "none" else (self.listener,))


@dataclass(frozen=True)
class Sock:
    family: int        # 4 or 6
    proto: str         # tcp or udp; for other_protocol rows mptcp, ping or udplite
    variant: str = "plain"  # plain, v6only, bound_v6 (bind [::1]:0 first), other_netns

    def name(self):
        return "%s%d %s" % (self.proto, self.family, self.variant)


@dataclass
class Expect:
    rule: str                 # the RULES entry that decided
    lands: str = None         # server address that gets it, or None
    errno: str = None         # connect's errno name, or None
    peer: str = None          # getpeername's address (TCP, connected)
    local: str = None         # getsockname's address
    reply: str = None         # a UDP reply's source as recvfrom reports it (None: not checked)
    counters: dict = field(default_factory=dict)
    redirected: bool = False


RULES = [
    ("sendto", "an unconnected UDP `sendto` (no `connect`)",
     "untouched, nothing counted: no sendmsg hook is attached, since `udpv6_sendmsg` refuses a v4-mapped rewrite (ENOTSUPP)"),
    ("port0", "destination port 0", "untouched, nothing counted"),
    ("not_loopback", "an address that is not loopback (another IPv6 address)", "untouched, nothing counted"),
    ("other_protocol", "a socket of another protocol than TCP and UDP: MPTCP, an ICMP ping socket, UDP-Lite",
     "untouched, nothing counted, exactly as without lo6relay (an MPTCP client's names could not be given back, "
     "and a ping socket cannot take a v4-mapped address); a kernel without `bpf_skc_to_tcp_sock`, or a loader "
     "without CAP_PERFMON, cannot tell MPTCP from TCP: such a connect is redirected and its client sees the relay"),
    ("tcp_only", "a UDP socket where the relay carries TCP only (Consomme mode, relay `127.0.0.1`)",
     "untouched, nothing counted: WSL would not carry the datagrams"),
    ("is_127_0_0_1", "`127.0.0.1` or `[::ffff:127.0.0.1]` without `--ipv4-localhost`, or where the relay is `127.0.0.1`",
     "untouched, nothing counted: 127.0.0.1 is Linux's own (and, in mirrored and Consomme mode, WSL carries it to Windows itself)"),
    ("other_127", "another 127/8 address (or its `[::ffff:]` spelling) without `--loopback4`, or the relay itself",
     "untouched, nothing counted"),
    ("stranded_source", "a socket whose source is already a 127/8 address (bound first, or kept by a UDP socket from an earlier connect), where the relay is outside 127/8",
     "untouched, nothing counted: a loopback source cannot reach another host"),
    ("not_allowed", "`[::1]:P` (or, with `--ipv4-localhost` or `--loopback4`, a 127/8 address) and P's mode, or the default for an unlisted P, is neither `always` nor `auto`",
     "untouched, counted `not_allowed`"),
    ("other_netns", "a socket of another network namespace (unless `--all-netns`, or a kernel before 5.14 that cannot tell them apart)",
     "untouched, counted `other_netns`"),
    ("bound_v6", "an IPv6 socket bound to an IPv6 source first (`bind([::1]:0)`)",
     "untouched, counted `bound_v6` (the kernel then refuses a v4-mapped destination itself)"),
    ("v6only", "an `IPV6_V6ONLY` socket", "untouched, counted `v6only` (a v4 destination would fail with ENETUNREACH); "
     "a kernel without `bpf_skc_to_tcp6_sock`, or a loader without CAP_PERFMON, cannot tell: such sockets are redirected and fail"),
    ("local_listener", "mode `auto` (or, for `127.0.0.1`, any mode) and a Linux socket bound to no device would answer the client: for `[::1]`, one on `[::1]:P` or dual-stack `[::]:P`, and, where the relay is not `127.0.0.1`, one on `127.0.0.1:P` or `0.0.0.0:P` too (a client of `localhost` falls back to it); for a 127/8 address, one on that address, `0.0.0.0:P` or `[::]:P`",
     "untouched, counted `local_listener`; a kernel without socket lookup cannot look, and nothing that needs a look is redirected. "
     "A socket bound to a device (`SO_BINDTODEVICE`, systemd's `BindToDevice=`, a VRF) is out of sight: the kernel's lookup from a connect hook "
     "passes no device and takes none, on every kernel. Bound to `lo`, which a plain loopback connect reaches, such a server loses those clients "
     "to the relay unless its port is `never` (`lo6relay allow --mode never P`); bound to any other device, a loopback connect never reached it"),
    ("redirect", "anything else", "sent to the relay, counted `redirected` (and `via_127` or `via_mapped` for 127/8 spellings); "
     "`getpeername` and UDP replies give back the address asked, and `getsockname` says `::1` for a `[::1]` connect "
     "(a 127/8 one shows its real source), unless `--show-relay` or a kernel without socket storage"),
]
RULE_NAMES = [r[0] for r in RULES]
# Rules a kernel can reach only with a helper it may lack (user/instance/probe.c).
RULE_NEEDS = {"other_netns": "netns_cookie", "v6only": "sock_cast"}


@functools.lru_cache(maxsize=None)
def _v4_of(addr):
    """The IPv4 address of a v4 destination (127.x or ::ffff:127.x), else None."""
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        return str(a)
    return str(a.ipv4_mapped) if a.ipv4_mapped else None


def _spell(sock, v4):
    """How a v4 address looks to SOCK's family."""
    return v4 if sock.family == 4 else "::ffff:" + v4


# KERNEL: what the kernel does with a connect nobody rewrote (measured once,
# by hand, with no program attached; see the table's README notes).
def kernel_lands(port, sock, dest):
    """(server address or None, errno name or None) for an untouched connect."""
    servers = _servers(port, sock)
    v4 = _v4_of(dest)
    if sock.variant == "other_netns" and v4 is not None and not v4.startswith("127."):
        return None, "ENETUNREACH"  # the other netns has only lo
    if v4 is not None and sock.family == 6 and sock.variant in ("v6only", "bound_v6"):
        # tcp_v6_connect, __ip6_datagram_connect: a V6ONLY socket (bind to a
        # v6 address sets it) cannot reach a v4-mapped address.
        return None, "ENETUNREACH"
    if v4 is not None:
        # The exact address wins over a wildcard, 0.0.0.0 or dual-stack [::].
        if v4 in servers:
            return v4, None
        for wild in WILDCARDS:
            if wild in servers:
                return wild, None
    else:
        if dest in servers:
            return dest, None
        if dest == "::1" and "::" in servers:
            return "::", None
    return None, ("ECONNREFUSED" if sock.proto == "tcp" else None)


def _servers(port, sock):
    """Who listens on PORT in SOCK's network namespace."""
    if sock.variant == "other_netns":
        return (LOOP1, "::1") if port.served else ()  # all the other netns serves
    return port.servers()


def _owner(inst, port, sock, v4):
    """Linux first: would a server in the socket's netns answer the address
    asked (bpf_skc_lookup_tcp / bpf_sk_lookup_udp)? Any server counts, a
    stand-in for another relay too: lo6relay cannot tell Linux's from a
    relay's. A client of localhost that finds nobody on [::1] tries
    127.0.0.1 next, so where the relay is elsewhere, that one counts too."""
    servers = _servers(port, sock)
    if v4 is None:
        if "::1" in servers or "::" in servers:
            return True
        if inst.relay == LOOP1:
            return False
        v4 = LOOP1
    # The IPv4 lookup finds that address, 0.0.0.0 and dual-stack [::] sockets.
    return v4 in servers or "0.0.0.0" in servers or "::" in servers


def _local_of(sock, dest_v4, dest):
    """getsockname's address after an untouched or redirected connect."""
    if sock.variant == "bound_v6":
        return "::1"
    if dest_v4 is not None:
        # The 127/8 local route's preferred source is 127.0.0.1; another
        # local address is its own source.
        return _spell(sock, LOOP1 if dest_v4.startswith("127.") else dest_v4)
    return dest  # ::1 or OTHER6: the local address is the destination itself


def _in_127(v4):
    return v4 is not None and v4.startswith("127.")


def decide(inst, port, sock, dest, how="connect", source=None):
    """(rule, spelling) where spelling is None, 'v6', '127' or 'mapped'.
    SOURCE: the IPv4 source the socket already has (a UDP socket's from an
    earlier connect), or None."""
    if how == "sendto":
        return "sendto", None
    if port.number == 0:
        return "port0", None
    v4 = _v4_of(dest)
    if v4 is None and not (dest == "::1" and sock.family == 6):
        return "not_loopback", None
    if sock.proto not in ("tcp", "udp") and not (sock.proto == "mptcp" and "sock_cast" in inst.lacks):
        return "other_protocol", None
    if inst.tcp_only and inst.relay == LOOP1 and sock.proto == "udp":
        return "tcp_only", None
    if v4 is None:
        spelling = "v6"
    elif v4 == LOOP1 and not (inst.ipv4_localhost and inst.relay != LOOP1):
        return "is_127_0_0_1", None
    elif v4 != LOOP1 and (not inst.loopback4 or v4 == inst.relay or not _in_127(v4)):
        return "other_127", None
    else:
        spelling = "127" if sock.family == 4 else "mapped"
    if not _in_127(inst.relay) and _in_127(source):
        return "stranded_source", spelling
    mode = port.mode if port.mode != "off" else port.default
    if mode not in ("always", "auto"):
        return "not_allowed", spelling
    if sock.variant == "other_netns" and not inst.all_netns and "netns_cookie" not in inst.lacks:
        return "other_netns", spelling
    if sock.family == 6 and sock.variant == "bound_v6":
        return "bound_v6", spelling
    if sock.family == 6 and sock.variant == "v6only" and "sock_cast" not in inst.lacks:
        return "v6only", spelling
    # 127.0.0.1 is Linux's before it is Windows', whatever the port's mode.
    if (mode == "auto" or v4 == LOOP1) and ("sock_lookup" in inst.lacks or
                                             _owner(inst, port, sock, None if spelling == "v6" else v4)):
        return "local_listener", spelling
    return "redirect", spelling


UNCOUNTED = ("sendto", "port0", "not_loopback", "other_protocol", "tcp_only", "is_127_0_0_1", "other_127", "stranded_source")


def _reply_from(lands, dest):
    """A UDP reply's source as a connected client sees it: a wildcard server's
    comes from the route's source, which the table does not check."""
    return dest if lands not in (None,) + WILDCARDS else None


def expect(inst, port, sock, dest, how="connect", source=None):
    """What a connect (HOW "connect") or an unconnected UDP sendto (HOW "sendto") does."""
    rule, spelling = decide(inst, port, sock, dest, how, source)
    e = Expect(rule=rule)
    v4 = _v4_of(dest)
    if rule != "redirect":
        if rule not in UNCOUNTED:
            e.counters = {rule: 1}
        e.lands, e.errno = kernel_lands(port, sock, dest)
        if e.errno is None:
            # A UDP socket "connected" to port 0 has no peer (ENOTCONN);
            # an unconnected one has none either.
            e.peer = dest if rule not in ("sendto", "port0") else None
            e.local = _local_of(sock, v4, dest) if rule != "sendto" else None
            e.reply = _reply_from(e.lands, dest)
        return e
    e.redirected = True
    e.counters = {"redirected": 1}
    if spelling == "127":
        e.counters["via_127"] = 1
    elif spelling == "mapped":
        e.counters["via_mapped"] = 1
    relay = _spell(sock, inst.relay)
    e.lands, e.errno = kernel_lands(port, sock, relay)
    if e.errno:
        return e
    # The reverse hooks give back what was asked for on a marked socket; a
    # [::1] connection's local end says ::1 too (getsockname6).
    e.peer = dest if inst.marks else relay
    e.local = "::1" if inst.marks and spelling == "v6" else _local_of(sock, inst.relay, relay)
    e.reply = _reply_from(e.lands, dest if inst.marks else relay)
    return e


def takes_v4_path(sock, dest, exp):
    """Does this connect hand the socket to the IPv4 path?"""
    return sock.family == 4 or exp.redirected or _v4_of(dest) is not None


def expect_again(inst, port1, port2, sock, d1, d2, then=None):
    """A socket that connects to D1 (on PORT1), then again to D2 (on PORT2),
    under instance THEN if another start came between (else INST): what the
    second connect does, or None where the table does not walk it.
    Every connect decides afresh: the mark follows the last one."""
    then = then or inst
    e1 = expect(inst, port1, sock, d1)
    if sock.proto == "tcp" and e1.errno != "ECONNREFUSED":
        return None  # only a refused TCP connect can be followed by another
    # KERNEL: a first connect on the IPv6 path leaves an IPv6 source, which
    # makes the socket bound_v6 for lo6relay: the bound_v6 rows cover it.
    if not takes_v4_path(sock, d1, e1):
        return None
    # KERNEL: a UDP socket keeps the source its first connect chose (a
    # refused TCP connect gives its source back: tcp_disconnect).
    first = _spell(sock, inst.relay) if e1.redirected else d1
    source = _v4_of(_local_of(sock, _v4_of(first), first)) if sock.proto == "udp" else None
    e2 = expect(then, port2, sock, d2, source=source)
    if takes_v4_path(sock, d2, e2):
        if source is not None and e2.local is not None and e2.local != "::1":
            e2.local = _spell(sock, source)
        return e2
    # KERNEL: after the IPv4 path, a connect to a pure IPv6 address fails:
    # UDP with EAFNOSUPPORT (the v4-mapped source stays; ip6_datagram_connect),
    # TCP by timing out (tcp_v6_connect keeps ipv6_mapped's af_ops): not walked.
    # The refused connect leaves the socket as it was: connected to its first
    # peer, whose names (given back or not) it keeps.
    if sock.proto == "tcp":
        return None
    return Expect(rule=e2.rule, errno="EAFNOSUPPORT", counters=e2.counters, peer=e1.peer, local=e1.local)


def expect_across(first, then, port, sock, dest):
    """A connection made under instance FIRST, still open after a start with
    THEN's options (the program replaced, the pinned maps and marks kept).
    It stays where FIRST sent it. Its names are given back only if FIRST
    marked it and THEN's reverse hooks are there to read the mark: none with
    --show-relay, and an IPv4 socket's (getpeername4, recvmsg4) only with
    --loopback4 or --ipv4-localhost."""
    e = expect(first, port, sock, dest)
    if not e.redirected or e.errno:
        return e
    _, spelling = decide(first, port, sock, dest)
    relay = _spell(sock, first.relay)
    back = first.marks and then.marks and (sock.family == 6 or then.loopback4 or then.ipv4_localhost)
    e.peer = dest if back else relay
    e.local = "::1" if back and spelling == "v6" else _local_of(sock, first.relay, relay)
    e.reply = _reply_from(e.lands, dest if back else relay)
    return e


def expect_closed(inst, port, sock, dest):
    """A TCP connection that closed (the server closed, then the client shut
    down its side): getsockname still names the local end it had, given back
    as while connected (a closed socket keeps its peer's port, which a
    disconnected one loses). None where nothing connected."""
    e = expect(inst, port, sock, dest)
    if sock.proto != "tcp" or e.errno:
        return None
    return e.local


def expect_reconnected_across(first, then, port, sock, d1, d2):
    """A UDP socket connected to D1 under FIRST, connected again to D2, an
    address no rule rewrites, under THEN, and read after a third start with
    FIRST's options. No mark survives: THEN's connect clears it, or, if THEN
    reads no marks, its start drops the old ones. So the third start's
    hooks give nothing back, and the names are the second connect's own."""
    e = expect_again(first, port, port, sock, d1, d2, then)
    assert e is None or not e.redirected
    return e


def expect_after_disconnect(inst, port, d2, how):
    """An IPv6 UDP socket connected (and perhaps redirected and marked), then
    disconnected with connect(AF_UNSPEC), which runs no hook: HOW "sendto"
    sends to D2 unconnected; HOW "inet" connects it to the IPv4 address D2
    given as AF_INET, as glibc's getaddrinfo does when it sorts [::1] and
    127.0.0.1 with one socket. The connect4 rules decide (a v6 socket may
    connect to an IPv4 address); the names come back v4-mapped."""
    if how == "sendto":
        if _v4_of(d2) is None:
            # KERNEL: as after expect_again's IPv4 path, a datagram to a pure
            # IPv6 address goes out but its reply never reaches the socket.
            return None
        return expect(inst, port, Sock(6, "udp"), d2, "sendto")
    e = expect(inst, port, Sock(4, "udp"), d2)
    for f in ("lands", "peer", "local", "reply"):
        v = getattr(e, f)
        if v is not None and f != "lands":
            setattr(e, f, _spell(Sock(6, "udp"), v))
    return e


def readme_block():
    lines = ["<!-- rules: generated by tests/integration/model.py --readme; test_table.sh walks them -->",
             "| # | a connect to | what lo6relay does |", "|---|---|---|"]
    for i, (_, when, what) in enumerate(RULES, 1):
        lines.append("| %d | %s | %s |" % (i, when, what))
    lines.append("<!-- rules: end -->")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--readme"]:
        print(readme_block())
    else:
        sys.exit("usage: model.py --readme")
