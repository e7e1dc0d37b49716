#!/usr/bin/env python3
"""The two ends of a boot-guest check, on the guest's loopback only.

  boot-net.py serve ADDR PORT READY   answer every connection with one line;
                                      touch READY once listening
  boot-net.py connect PORT            connect to [::1]:PORT and print the
                                      answer, or 'refused' (exit 1) or the
                                      error (exit 2)
"""
import socket
import sys

ANSWER = b"lo6relay-boot-ok\n"


def serve(addr, port, ready):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    open(ready, "w").close()
    while True:
        conn, _ = srv.accept()
        with conn:
            conn.sendall(ANSWER)


def connect(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(("::1", port))
        print(s.recv(100).decode(errors="replace").strip(), "peer", s.getpeername()[0])
        return 0
    except ConnectionRefusedError:
        print("refused")
        return 1
    except OSError as e:
        print("error:", e)
        return 2


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(connect(int(sys.argv[2])))
