#!/usr/bin/env python3
"""cg_progs.py CGROUP: one line "HOOK NAME ID" per BPF program attached to
CGROUP's sock_addr hooks (connect4/6, getpeername4/6, getsockname4/6,
recvmsg4/6), asked of the kernel with BPF_PROG_QUERY.

cg_progs.py --hold HOOK [--override] CGROUP: another tool's program, as one
that holds a hook exclusively: "return 1" (allow, change nothing) loaded as
lo6test_holder and attached the legacy way WITHOUT BPF_F_ALLOW_MULTI (flags
0, or BPF_F_ALLOW_OVERRIDE), so the kernel refuses any other program there
and below (kernel/bpf/cgroup.c: hierarchy_allows_attach). Prints its id;
the attachment outlives this process. cg_progs.py --release HOOK CGROUP
detaches it again.

Not `bpftool cgroup show`: bookworm's bpftool also asks for
prog_attach_flags, which kernels before 6.0 refuse with EINVAL, and then
prints nothing, so a count of programs would read 0 on 5.10.
"""
import ctypes
import os
import struct
import sys

SYS_BPF = 321  # x86_64
BPF_PROG_LOAD, BPF_PROG_ATTACH, BPF_PROG_DETACH = 5, 8, 9
BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD, BPF_PROG_QUERY = 13, 15, 16
BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_F_ALLOW_OVERRIDE = 18, 1
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


def attach_type_of(hook):
    return next(t for t, h in HOOKS.items() if h == hook)


def hold(hook, cgroup, flags):
    # r0 = 1; exit
    insns = struct.pack("=BBhiBBhi", 0xb7, 0, 0, 1, 0x95, 0, 0, 0)
    insn_buf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attach_type = attach_type_of(hook)
    # prog_type, insn_cnt, insns, license, log_level, log_size, log_buf,
    # kern_version, prog_flags, prog_name, prog_ifindex, expected_attach_type
    attr = struct.pack("=IIQQIIQII16sII", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 2,
                       ctypes.addressof(insn_buf), ctypes.addressof(lic), 0, 0, 0, 0, 0,
                       b"lo6test_holder", 0, attach_type)
    prog, _ = bpf(BPF_PROG_LOAD, attr)
    cg = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # target_fd, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd
        bpf(BPF_PROG_ATTACH, struct.pack("=IIIII", cg, prog, attach_type, flags, 0))
        info = ctypes.create_string_buffer(256)
        bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("=IIQ", prog, 256, ctypes.addressof(info)))
        print(struct.unpack_from("=I", info.raw, 4)[0])  # bpf_prog_info.id
    finally:
        os.close(cg)
        os.close(prog)


def release(hook, cgroup):
    cg = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # A program attached without BPF_F_ALLOW_MULTI detaches without its fd.
        bpf(BPF_PROG_DETACH, struct.pack("=IIIII", cg, 0, attach_type_of(hook), 0, 0))
    finally:
        os.close(cg)


if __name__ == "__main__":
    if sys.argv[1] == "--hold":
        override = sys.argv[3] == "--override"
        hold(sys.argv[2], sys.argv[-1], BPF_F_ALLOW_OVERRIDE if override else 0)
    elif sys.argv[1] == "--release":
        release(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1])
