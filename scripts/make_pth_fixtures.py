#!/usr/bin/python3
"""Writes the .pth fixtures of tests/unit/pth into tests/data/pth/.

Run from the repository root:  /usr/bin/python3 scripts/make_pth_fixtures.py
Good checkpoints come from torch.save() itself (zip and legacy formats) and
their expected values from torch.load() (expected.json), so the C++ reader is
checked against PyTorch, not against itself. Hostile files are built from
hand-written pickle bytes; nothing in them is ever unpickled here.
"""
import collections
import hashlib
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "pth")
torch.manual_seed(0)

DTYPES = {
    torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16",
    torch.int64: "i64", torch.int32: "i32", torch.int16: "i16", torch.int8: "s8",
    torch.uint8: "u8", torch.bool: "bool",
}


class CustomMeta:
    """Stands for the objects MMOCR puts in 'meta' (not whitelisted, must stay opaque)."""

    def __init__(self):
        self.note = "opaque"


def every_dtype_state_dict():
    sd = collections.OrderedDict()
    base = torch.randn(3, 5)
    sd["f32"] = base
    sd["f64"] = torch.randn(2, 3, dtype=torch.float64)
    sd["f16"] = torch.randn(4).half()
    sd["bf16"] = torch.randn(2, 2).bfloat16()
    sd["i64"] = torch.tensor([-(2 ** 40), -1, 0, 7, 2 ** 62], dtype=torch.int64)
    sd["i32"] = torch.tensor([[-(2 ** 31), 5], [2 ** 31 - 1, 0]], dtype=torch.int32)
    sd["i16"] = torch.tensor([-32768, 12, 32767], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(3.5)
    sd["num_batches_tracked"] = torch.tensor(17)
    sd["empty"] = torch.zeros(0, 3)
    # Views sharing one storage: transposed (non-contiguous), offset slices, strided.
    shared = torch.arange(60, dtype=torch.float32).reshape(6, 10)
    sd["shared_t"] = shared.t()
    sd["shared_rows"] = shared[2:4]
    sd["shared_step"] = shared[1::2, 3::3]
    sd["shared_elem"] = shared[5, 7]
    sd["expanded"] = torch.tensor([1.0, 2.0]).reshape(2, 1).expand(2, 3)
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2))
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    return sd


def small_net():
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(1, 3, 8, 8)).sum().backward()
    opt.step()
    return net, opt


def describe(sd):
    out = collections.OrderedDict()
    for k, v in sd.items():
        flat = v.detach().reshape(-1)
        if v.dtype in (torch.float16, torch.bfloat16, torch.float32):
            vals = [float(x) for x in flat.float().tolist()]
        elif v.dtype == torch.float64:
            vals = [float(x) for x in flat.tolist()]
        else:
            vals = [int(x) for x in flat.tolist()]
        out[k] = {"dtype": DTYPES[v.dtype], "shape": list(v.shape), "values": vals}
    return out


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---------------------------------------------------------------- crafted files

def pickle_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def write_zip(path, pkl, storages=None, name_prefix="archive/", extra=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(name_prefix + "data.pkl", pkl)
        z.writestr(name_prefix + "version", "3\n")
        for key, data in (storages or {}).items():
            z.writestr(name_prefix + "data/" + key, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


class FakeStorage:
    def __init__(self, key, numel, type_name="FloatStorage"):
        self.key, self.numel, self.type_name = key, numel, type_name


class FakeTensor:
    """Pickles exactly like a tensor, with whatever offset/size/stride we want."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class CraftPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            return ("storage", getattr(torch, obj.type_name), obj.key, "cpu", obj.numel)
        return None


def craft(obj):
    f = io.BytesIO()
    CraftPickler(f, protocol=2).dump(obj)
    return f.getvalue()


def crafted_state_dict(tensor):
    return craft({"state_dict": collections.OrderedDict([("ok", FakeTensor(FakeStorage("0", 6), 0, [6], [1])),
                                                         ("bad", tensor)])})


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"files": {}}

    sd = every_dtype_state_dict()
    for name, zipped in (("dtypes_zip.pth", True), ("dtypes_legacy.pth", False)):
        p = os.path.join(OUT, name)
        torch.save(sd, p, _use_new_zipfile_serialization=zipped)
        loaded = torch.load(p)
        expected["files"][name] = {"sha256": sha256(p), "tensors": describe(loaded)}

    net, opt = small_net()
    ckpt = {
        "meta": {"mmcv_version": "1.4.0", "CLASSES": ("text",), "epoch": 3, "custom": CustomMeta(),
                 "config": "model = dict(type='TextSnake')"},
        "state_dict": net.state_dict(),
        "optimizer": opt.state_dict(),
    }
    for name, zipped in (("mmocr_like_zip.pth", True), ("mmocr_like_legacy.pth", False)):
        p = os.path.join(OUT, name)
        torch.save(ckpt, p, _use_new_zipfile_serialization=zipped)
        expected["files"][name] = {"sha256": sha256(p), "tensors": describe(ckpt["state_dict"])}

    # Hostile: dangerous callables, hand-written protocol-2 pickles (never loaded here).
    evil_root = b"\x80\x02cos\nsystem\n" + pickle_str("echo pwned") + b"\x85R."
    write_zip(os.path.join(OUT, "evil_os_system.pth"), evil_root)
    # builtins.eval as the value of a state_dict entry, via STACK_GLOBAL (protocol 4 style).
    evil_eval = (b"\x80\x04}(" + pickle_str("state_dict") + b"}(" + pickle_str("w") +
                 pickle_str("builtins") + pickle_str("eval") + b"\x93" + pickle_str("1+1") + b"\x85Ru" + b"u.")
    write_zip(os.path.join(OUT, "evil_builtins_eval.pth"), evil_eval)
    # posix.system in the storage slot of a real tensor rebuild call.
    evil_posix = (b"\x80\x02}" + pickle_str("conv.weight") + b"ctorch._utils\n_rebuild_tensor_v2\n(cposix\nsystem\n" +
                  pickle_str("id") + b"\x85RK\x00K\x01\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtRs.")
    write_zip(os.path.join(OUT, "evil_posix_system.pth"), evil_posix)
    # os.system tucked inside meta must stay inert and not stop the load.
    inner = craft(collections.OrderedDict([("w", FakeTensor(FakeStorage("0", 6), 0, [2, 3], [3, 1]))]))
    meta_evil = (b"\x80\x02}(" + pickle_str("meta") + b"cos\nsystem\n" + pickle_str("echo pwned") + b"\x85R" +
                 pickle_str("state_dict") + inner[2:-1] + b"u.")
    six = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    write_zip(os.path.join(OUT, "evil_in_meta.pth"), meta_evil, {"0": six})

    # Hostile: geometry.
    write_zip(os.path.join(OUT, "offset_past_end.pth"),
              crafted_state_dict(FakeTensor(FakeStorage("0", 6), 4, [3], [1])), {"0": six})
    write_zip(os.path.join(OUT, "stride_past_end.pth"),
              crafted_state_dict(FakeTensor(FakeStorage("0", 6), 0, [2, 3], [3, 2])), {"0": six})
    write_zip(os.path.join(OUT, "numel_overflow.pth"),
              crafted_state_dict(FakeTensor(FakeStorage("0", 6), 0, [2 ** 40, 2 ** 40, 2 ** 40], [1, 1, 1])), {"0": six})
    write_zip(os.path.join(OUT, "storage_too_small.pth"),
              crafted_state_dict(FakeTensor(FakeStorage("0", 6), 0, [6], [1])), {"0": six[:20]})
    write_zip(os.path.join(OUT, "unsupported_dtype.pth"),
              crafted_state_dict(FakeTensor(FakeStorage("1", 2, "ComplexFloatStorage"), 0, [2], [1])),
              {"0": six, "1": six[:16]})

    # Hostile: pickle structure.
    valid = craft(collections.OrderedDict([("w", FakeTensor(FakeStorage("0", 6), 0, [6], [1]))]))
    write_zip(os.path.join(OUT, "truncated_pickle.pth"), valid[: len(valid) // 2], {"0": six})
    write_zip(os.path.join(OUT, "deep_nesting.pth"), b"\x80\x02" + b"]" * 3000 + b"a" * 2999 + b".")
    write_zip(os.path.join(OUT, "deep_marks.pth"), b"\x80\x02" + b"(" * 3000 + b"N.")
    write_zip(os.path.join(OUT, "protocol0_opcode.pth"), b"\x80\x02I1\n.")

    # Hostile: the zip container.
    p = os.path.join(OUT, "dotdot_zip.pth")
    write_zip(p, valid, {"0": six}, extra={"archive/../evil": b"x"})
    p = os.path.join(OUT, "absolute_zip.pth")
    write_zip(p, valid, {"0": six}, extra={"/etc/evil": b"x"})
    # A deflated data.pkl whose declared uncompressed size is patched to ~4 GiB.
    p = os.path.join(OUT, "huge_size_zip.pth")
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", valid)
        z.writestr("archive/data/0", six)
    raw = bytearray(open(p, "rb").read())
    name = b"archive/data.pkl"
    patched = 0
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = raw.find(sig)
        while i >= 0:
            if raw[i + name_at:i + name_at + len(name)] == name:
                raw[i + size_at:i + size_at + 4] = struct.pack("<I", 0xFFFFFFF0)
                patched += 1
            i = raw.find(sig, i + 4)
    assert patched == 2
    open(p, "wb").write(raw)
    # Storage entry whose size disagrees with its persistent id.
    write_zip(os.path.join(OUT, "storage_size_mismatch.pth"), valid, {"0": six + six})
    # Flip a byte inside the stored storage data: the CRC no longer matches.
    p = os.path.join(OUT, "corrupt_crc_zip.pth")
    write_zip(p, valid, {"0": six})
    raw = bytearray(open(p, "rb").read())
    at = raw.find(six)
    raw[at + 1] ^= 0xFF
    open(p, "wb").write(raw)
    # Garbage where the central directory should be.
    p = os.path.join(OUT, "corrupt_zip.pth")
    write_zip(p, valid, {"0": six})
    raw = bytearray(open(p, "rb").read())
    cd = raw.find(b"PK\x01\x02")
    raw[cd:cd + 40] = b"\xAA" * 40
    open(p, "wb").write(raw)
    # Legacy file cut inside the main pickle.
    legacy = open(os.path.join(OUT, "dtypes_legacy.pth"), "rb").read()
    open(os.path.join(OUT, "truncated_legacy.pth"), "wb").write(legacy[:300])
    open(os.path.join(OUT, "not_a_checkpoint.pth"), "wb").write(b"hello, this is plain text\n")

    # Values for the crafted file that loads.
    expected["files"]["evil_in_meta.pth"] = {"tensors": {"w": {"dtype": "f32", "shape": [2, 3], "values": [1, 2, 3, 4, 5, 6]}}}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
