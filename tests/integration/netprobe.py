#!/usr/bin/env python3
"""Loopback-only server and client for the integration tests.

serve PROTO ADDR PORT LOG [--device DEV]
                            listen; append "from=ADDR:PORT data=BYTES" per
                            connection or datagram to LOG; echo UDP back.
                            Creates LOG.ready once bound. --device: bound
                            to DEV first (SO_BINDTODEVICE, as systemd's
                            BindToDevice= does); --reuseport: SO_REUSEPORT,
                            so a dual-stack [::]:PORT and 127.0.0.1:PORT
                            can both listen (the exact address wins).
connect PROTO ADDR PORT PAYLOAD [--v6only] [--bind ADDR] [--nonblock]
                            [--fastopen] [--sendto]
                            connect, send PAYLOAD, print one line:
                            "ok peer=.. sock=.." (UDP: "ok ... reply_from=..")
                            or "err ERRNAME". --nonblock: connect returns
                            EINPROGRESS and completes later; --fastopen: TCP
                            Fast Open, sendto(MSG_FASTOPEN) with no connect;
                            --sendto: UDP sendto with no connect.
Addresses are only ever 127.0.0.0/8 or ::1 (or their v4-mapped spellings).
"""
import errno
import os
import select
import socket
import sys


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def fmt(sa):
    return "[%s]:%d" % (sa[0], sa[1]) if ":" in sa[0] else "%s:%d" % (sa[0], sa[1])


def serve(proto, addr, port, log, opts=()):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family_of(addr), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if "--reuseport" in opts:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if "--device" in opts:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                     opts[opts.index("--device") + 1].encode())
    if family_of(addr) == socket.AF_INET6:
        # [::] is the dual-stack listener a Linux server opens; others are v6 only.
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if addr == "::" else 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    open(log + ".ready", "w").close()
    s.settimeout(120)  # bounded: a forgotten server ends by itself
    while True:
        try:
            if kind == socket.SOCK_STREAM:
                c, peer = s.accept()
                c.settimeout(5)
                data = b""
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                c.close()
            else:
                data, peer = s.recvfrom(65536)
                s.sendto(data, peer)
        except socket.timeout:
            return
        with open(log, "a") as f:
            f.write("from=%s data=%s\n" % (fmt(peer), data.decode(errors="replace")))


def connect(proto, addr, port, payload, opts):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family_of(addr), kind)
    s.settimeout(3)
    try:
        if "--v6only" in opts:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if "--bind" in opts:
            s.bind((opts[opts.index("--bind") + 1], 0))
        if "--fastopen" in opts:
            # Blocking: without a cookie yet, the kernel sends a plain SYN and
            # the data after the handshake, which a non-blocking socket skips.
            s.settimeout(None)
            s.sendto(payload.encode(), socket.MSG_FASTOPEN, (addr, port))
        elif "--sendto" in opts:
            s.sendto(payload.encode(), (addr, port))
            reply, src = s.recvfrom(65536)
            print("ok reply_from=%s" % fmt(src))
            return 0
        elif "--nonblock" in opts:
            s.setblocking(False)
            rc = s.connect_ex((addr, port))
            if rc != errno.EINPROGRESS:
                raise OSError(rc, "connect did not start in the background")
            select.select([], [s], [], 3)
            rc = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if rc:
                raise OSError(rc, os.strerror(rc))
            s.setblocking(True)
            s.settimeout(3)
        else:
            s.connect((addr, port))
        line = "ok peer=%s sock=%s" % (fmt(s.getpeername()), fmt(s.getsockname()))
        if kind == socket.SOCK_STREAM:
            if "--fastopen" not in opts:
                s.sendall(payload.encode())
        else:
            s.send(payload.encode())
            reply, src = s.recvfrom(65536)
            line += " reply_from=%s" % fmt(src)
        print(line)
        return 0
    except OSError as e:
        print("err %s" % (errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "timeout"))
        return 1
    finally:
        s.close()


def main(argv):
    if len(argv) >= 6 and argv[1] == "serve":
        serve(argv[2], argv[3], int(argv[4]), argv[5], argv[6:])
        return 0
    if len(argv) >= 6 and argv[1] == "connect":
        return connect(argv[2], argv[3], int(argv[4]), argv[5], argv[6:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
