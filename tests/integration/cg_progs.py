#!/usr/bin/env python3
"""cg_progs.py CGROUP: one line "HOOK NAME ID" per BPF program attached to
CGROUP's sock_addr hooks (connect4/6, getpeername4/6, getsockname4/6,
recvmsg4/6), asked of the kernel with BPF_PROG_QUERY.

Not `bpftool cgroup show`: bookworm's bpftool also asks for
prog_attach_flags, which kernels before 6.0 refuse with EINVAL, and then
prints nothing, so a count of programs would read 0 on 5.10.
"""
import ctypes
import os
import struct
import sys

SYS_BPF = 321  # x86_64
BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD, BPF_PROG_QUERY = 13, 15, 16
HOOKS = {10: "connect4", 11: "connect6", 19: "recvmsg4", 20: "recvmsg6",
         29: "getpeername4", 30: "getpeername6", 31: "getsockname4", 32: "getsockname6"}

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, len(attr))
    r = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r, buf.raw


def prog_name(prog_id):
    fd, _ = bpf(BPF_PROG_GET_FD_BY_ID, struct.pack("=III", prog_id, 0, 0))
    try:
        info = ctypes.create_string_buffer(256)
        bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("=IIQ", fd, 256, ctypes.addressof(info)))
        return info.raw[64:80].split(b"\0")[0].decode()  # bpf_prog_info.name
    finally:
        os.close(fd)


def main(cgroup):
    cg = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY)
    for attach_type, hook in sorted(HOOKS.items()):
        ids = (ctypes.c_uint32 * 64)()
        # target_fd, attach_type, query_flags, attach_flags, prog_ids, prog_cnt, pad
        attr = struct.pack("=IIIIQII", cg, attach_type, 0, 0, ctypes.addressof(ids), 64, 0)
        _, out = bpf(BPF_PROG_QUERY, attr)
        count = struct.unpack_from("=I", out, 24)[0]
        for i in range(count):
            print(hook, prog_name(ids[i]), ids[i])
    os.close(cg)


if __name__ == "__main__":
    main(sys.argv[1])
