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
import sys

from bpfsys import ATTR, C, bpf, info, layout

HOOKS = {C["BPF_CGROUP_" + t]: h for t, h in (
    ("INET4_CONNECT", "connect4"), ("INET6_CONNECT", "connect6"),
    ("UDP4_RECVMSG", "recvmsg4"), ("UDP6_RECVMSG", "recvmsg6"),
    ("INET4_GETPEERNAME", "getpeername4"), ("INET6_GETPEERNAME", "getpeername6"),
    ("INET4_GETSOCKNAME", "getsockname4"), ("INET6_GETSOCKNAME", "getsockname6"))}
PROG_INFO = layout("struct bpf_prog_info")


def prog_name(prog_id):
    fd, _ = bpf("BPF_PROG_GET_FD_BY_ID", {"prog_id": prog_id})
    try:
        return PROG_INFO.raw(info(fd, PROG_INFO.name), "name").split(b"\0")[0].decode()
    finally:
        os.close(fd)


def main(cgroup):
    cg = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY)
    for attach_type, hook in sorted(HOOKS.items()):
        ids = (ctypes.c_uint32 * 64)()
        _, out = bpf("BPF_PROG_QUERY", {"query.target_fd": cg, "query.attach_type": attach_type,
                                        "query.prog_ids": ids, "query.prog_cnt": len(ids)})
        count = ATTR.get(out, "query.prog_cnt")
        for i in range(count):
            print(hook, prog_name(ids[i]), ids[i])
    os.close(cg)


def attach_type_of(hook):
    return next(t for t, h in HOOKS.items() if h == hook)


def hold(hook, cgroup, flags):
    # r0 = 1 (dst_reg and src_reg are 0: the byte after code stays zero); exit
    insn = layout("struct bpf_insn")
    prog_text = insn.new({"code": C["BPF_ALU64"] | C["BPF_MOV"] | C["BPF_K"], "imm": 1}).raw + \
        insn.new({"code": C["BPF_JMP"] | C["BPF_EXIT"]}).raw
    insns = ctypes.create_string_buffer(prog_text, len(prog_text))
    attach_type = attach_type_of(hook)
    prog, _ = bpf("BPF_PROG_LOAD", {
        "prog_type": C["BPF_PROG_TYPE_CGROUP_SOCK_ADDR"], "insn_cnt": len(prog_text) // insn.size,
        "insns": insns, "license": ctypes.create_string_buffer(b"GPL"),
        "prog_name": b"lo6test_holder", "expected_attach_type": attach_type})
    cg = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY)
    try:
        bpf("BPF_PROG_ATTACH", {"target_fd": cg, "attach_bpf_fd": prog, "attach_type": attach_type,
                                "attach_flags": flags})
        print(PROG_INFO.get(info(prog, PROG_INFO.name), "id"))
    finally:
        os.close(cg)
        os.close(prog)


def release(hook, cgroup):
    cg = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # A program attached without BPF_F_ALLOW_MULTI detaches without its fd.
        bpf("BPF_PROG_DETACH", {"target_fd": cg, "attach_type": attach_type_of(hook)})
    finally:
        os.close(cg)


if __name__ == "__main__":
    if sys.argv[1] == "--hold":
        override = sys.argv[3] == "--override"
        hold(sys.argv[2], sys.argv[-1], C["BPF_F_ALLOW_OVERRIDE"] if override else 0)
    elif sys.argv[1] == "--release":
        release(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1])
