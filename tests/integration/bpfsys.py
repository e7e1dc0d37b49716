"""The bpf() syscall for the integration tests' Python, without bpftool.

Every number comes from bpfsys.json, which the build writes with
bpfsys_json.c (the file $BPFSYS_JSON names; tests/meson.build and vmtest's
guest-init set it): the syscall's number on this machine, the layouts of
include/lo6relay/abi.h's structs and of <linux/bpf.h>'s, and the constants.
Nothing here knows an offset: a struct is a Layout, its fields set and read
by name.

    C["BPF_PROG_QUERY"], C["LO6_MAP_STATS"]     constants
    layout("struct lo6_config")                 a struct's Layout
    bpf("BPF_PROG_QUERY", {...})                the syscall, attr by field name
    Map(path, "struct lo6_port_stats")          a pinned map: lookup, update
"""
import ctypes
import errno
import json
import os
import sys

_path = os.environ.get("BPFSYS_JSON")
if not _path:
    sys.exit("bpfsys.py: BPFSYS_JSON must name the build's tests/bpfsys.json (meson test sets it)")
with open(_path) as _f:
    _FACTS = json.load(_f)
NR_BPF = _FACTS["nr_bpf"]
C = _FACTS["consts"]

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class Layout:
    """A struct (or union) of bpfsys.json: its size, and its fields by name."""

    def __init__(self, name):
        s = _FACTS["structs"][name]
        self.name, self.size = name, s["size"]
        self.fields = {f: tuple(at) for f, at in s["fields"].items()}

    def names(self):
        """The fields, in the order of their offsets."""
        return sorted(self.fields, key=lambda f: self.fields[f][0])

    def new(self, values=None):
        """A zeroed buffer of the struct, with VALUES ({field: value}) set."""
        buf = ctypes.create_string_buffer(self.size)
        for f, v in (values or {}).items():
            self.put(buf, f, v)
        return buf

    def put(self, buf, field, value):
        """Sets FIELD: an int, bytes (a char array), or a ctypes object,
        whose address a pointer field then holds."""
        off, size = self.fields[field]
        if isinstance(value, ctypes.Array):
            value = ctypes.addressof(value)
        if isinstance(value, bytes):
            if len(value) > size:
                raise ValueError("%s.%s holds %d bytes, not %d"
                                 % (self.name, field, size, len(value)))
            value = value.ljust(size, b"\0")
        else:
            value = value.to_bytes(size, sys.byteorder, signed=value < 0)
        ctypes.memmove(ctypes.addressof(buf) + off, value, size)

    def get(self, buf, field):
        """FIELD's value as an unsigned int."""
        return int.from_bytes(self.raw(buf, field), sys.byteorder)

    def raw(self, buf, field):
        """FIELD's bytes."""
        off, size = self.fields[field]
        return ctypes.string_at(ctypes.addressof(buf) + off, size)

    def unpack(self, buf):
        """{field: value} of every field, in the struct's order."""
        return {f: self.get(buf, f) for f in self.names()}


_layouts = {}


def layout(name):
    if name not in _layouts:
        _layouts[name] = Layout(name)
    return _layouts[name]


ATTR = layout("union bpf_attr")


def bpf(cmd, fields):
    """bpf(CMD, {field of union bpf_attr: value}): the result (an fd, or 0),
    and the attr buffer the kernel may have written back into. OSError on
    failure, with errno."""
    attr = ATTR.new(fields)
    r = _libc.syscall(ctypes.c_long(NR_BPF), ctypes.c_long(C[cmd]), attr, ctypes.c_uint(ATTR.size))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "bpf(%s): %s" % (cmd, os.strerror(e)))
    return r, attr


def obj_get(path):
    """An fd of the object pinned at PATH."""
    return bpf("BPF_OBJ_GET", {"pathname": ctypes.create_string_buffer(path.encode())})[0]


def info(fd, name):
    """BPF_OBJ_GET_INFO_BY_FD: FD's struct NAME (bpf_prog_info, bpf_map_info)
    as a buffer of that Layout."""
    lay = layout(name)
    buf = lay.new()
    bpf("BPF_OBJ_GET_INFO_BY_FD", {"info.bpf_fd": fd, "info.info_len": lay.size, "info.info": buf})
    return buf


class Map:
    """A pinned map whose value is the struct VALUE of abi.h; its key size
    is the kernel's. Refuses a map whose value size is not the struct's:
    a bpfsys.json of another build than the programs'."""

    def __init__(self, path, value):
        self.value = layout(value)
        self.fd = obj_get(path)
        mi = layout("struct bpf_map_info")
        got = info(self.fd, mi.name)
        self.key_size = mi.get(got, "key_size")
        size = mi.get(got, "value_size")
        if size != self.value.size:
            os.close(self.fd)
            raise SystemExit("bpfsys.py: %s holds values of %d bytes, %s is %d"
                             " (is $BPFSYS_JSON of this build?)" % (path, size, value, self.value.size))

    def _elem(self, key, buf):
        k = ctypes.create_string_buffer(key.to_bytes(self.key_size, sys.byteorder), self.key_size)
        return {"map_fd": self.fd, "key": k, "value": buf}

    def lookup(self, key):
        """KEY's value as a buffer of the value's Layout, or None if absent."""
        buf = self.value.new()
        try:
            bpf("BPF_MAP_LOOKUP_ELEM", self._elem(key, buf))
        except OSError as e:
            if e.errno == errno.ENOENT:
                return None
            raise
        return buf

    def update(self, key, buf):
        bpf("BPF_MAP_UPDATE_ELEM", self._elem(key, buf))

    def close(self):
        os.close(self.fd)
