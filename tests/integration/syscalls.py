#!/usr/bin/env python3
"""The ways a client learns an address on a redirected UDP socket that no
cgroup hook reaches, each run twice: as a process of the test's cgroup
(redirected) and outside it (untouched, the kernel's own answer). README's
"What the hooks cannot give back" says what each does; this checks it.

usage: syscalls.py CGROUP PORT CLOSED   (a UDP echo on 127.0.0.1:PORT and on
[::1]:PORT, nothing on CLOSED; both ports allowed, mode always, relay 127.0.0.1)
Prints one line per case: "NAME: redirected=... untouched=...".
"""
import errno
import os
import socket
import struct
import sys

CG, PORT, CLOSED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
IPV6_RECVERR = 25
SO_EE_OFFENDER_LEN = 16 + 28  # struct sock_extended_err, then the offender's sockaddr_in6


def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def connected(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.connect(("::1", port))
    return s


def sendto_named():
    """sendto() naming the address the socket is connected to."""
    s = connected(PORT)
    try:
        s.sendto(b"named", ("::1", PORT))
        return "sent, reply from %s" % s.recvfrom(64)[1][0]
    except OSError as e:
        return err(e)


def pktinfo():
    """IPV6_RECVPKTINFO: the local address a reply was sent to."""
    s = connected(PORT)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    s.send(b"pktinfo")
    _, anc, _, src = s.recvmsg(64, 256)
    local = [socket.inet_ntop(socket.AF_INET6, d[:16]) for lvl, t, d in anc
             if lvl == socket.IPPROTO_IPV6 and t == socket.IPV6_PKTINFO]
    return "from %s to %s" % (src[0], ",".join(local) or "none")


def recverr():
    """IPV6_RECVERR: the error queue of a datagram to a closed port."""
    s = connected(CLOSED)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    s.send(b"nobody")
    try:
        s.recv(64)
    except OSError:
        pass  # ECONNREFUSED: the error is queued as well
    s.setblocking(False)  # python waits for POLLIN on a socket with a timeout: the queue is POLLERR
    try:
        _, anc, _, name = s.recvmsg(64, 512, socket.MSG_ERRQUEUE)
    except OSError as e:
        return "no queued error (%s)" % err(e)
    offender = "none"
    for lvl, t, d in anc:
        if len(d) >= SO_EE_OFFENDER_LEN:
            offender = socket.inet_ntop(socket.AF_INET6, d[16 + 8:16 + 24])
    return "dest %s offender %s" % (name[0], offender)


def run(case, in_cg):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        if in_cg:
            with open(os.path.join(CG, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        try:
            out = case()
        except OSError as e:
            out = "error " + err(e)
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    out = os.read(r, 4096).decode()
    os.waitpid(pid, 0)
    return out


for case in (sendto_named, pktinfo, recverr):
    print("%s: redirected=%s untouched=%s" % (case.__name__, run(case, True), run(case, False)))
