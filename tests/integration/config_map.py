#!/usr/bin/env python3
"""config_map.py PIN_DIR [ABI]: prints the pinned config map's value (key 0)
in hex; with ABI, first writes that abi_version into it, as an lo6relay of
another ABI would have (struct lo6_config in include/lo6relay/abi.h).
config_map.py --field FIELD PIN_DIR: that field's bytes only, in hex.
The bpf syscall directly (bpfsys.py), so the test does not depend on
bpftool's output format.
"""
import os
import sys

from bpfsys import C, Map


def main(args):
    field = None
    if args[0] == "--field":
        field, args = args[1], args[2:]
    pin_dir, abi = args[0], (args[1] if len(args) > 1 else None)
    config = Map(os.path.join(pin_dir, C["LO6_MAP_CONFIG"]), "struct lo6_config")
    value = config.lookup(0)
    if abi is not None:
        config.value.put(value, "abi_version", int(abi))
        config.update(0, value)
    print((config.value.raw(value, field) if field else value.raw).hex())
    config.close()


if __name__ == "__main__":
    main(sys.argv[1:])
