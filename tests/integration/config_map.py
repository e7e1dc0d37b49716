#!/usr/bin/env python3
"""config_map.py PIN_DIR [ABI]: prints the pinned config map's value (key 0)
in hex; with ABI, first writes that abi_version into it, as an lo6relay of
another ABI would have (struct lo6_config in include/lo6relay/abi.h:
abi_version is the u32 at offset 20). The bpf syscall directly, so the test
does not depend on bpftool's output format.
"""
import ctypes
import os
import struct
import sys

SYS_BPF = 321  # x86_64
BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_OBJ_GET = 1, 2, 7
VALUE_SIZE, ABI_OFFSET = 32, 20

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(SYS_BPF, cmd, buf, 128)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def main(pin_dir, abi=None):
    path = ctypes.create_string_buffer(os.path.join(pin_dir, "config").encode())
    fd = bpf(BPF_OBJ_GET, struct.pack("=QII", ctypes.addressof(path), 0, 0))
    key = ctypes.create_string_buffer(4)
    value = ctypes.create_string_buffer(VALUE_SIZE)
    elem = struct.pack("=IIQQQ", fd, 0, ctypes.addressof(key), ctypes.addressof(value), 0)
    bpf(BPF_MAP_LOOKUP_ELEM, elem)
    if abi is not None:
        struct.pack_into("=I", value, ABI_OFFSET, int(abi))
        bpf(BPF_MAP_UPDATE_ELEM, elem)
    print(value.raw.hex())
    os.close(fd)


if __name__ == "__main__":
    main(*sys.argv[1:])
