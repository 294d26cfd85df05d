#!/usr/bin/python3
"""Fills tests/fuzz/corpus/<parser>/ with seed inputs.

Most seeds are copies of small files under tests/data/ (same provenance and
licence as there). The few formats with no small file in tests/data/ get tiny
generated seeds: .npy arrays (numpy), images in each format the header reader
knows (OpenCV), bare pickles taken out of the fixture checkpoints, and an
ICDAR2015 label file. The model_file seeds are written by the C++ helper
make_fuzz_seeds (built in a TEXTQ_BUILD_FUZZERS build).

Run from the repository root:
    /usr/bin/python3 tests/fuzz/make_seeds.py [--make-fuzz-seeds build-fuzz/make_fuzz_seeds]
"""
import argparse
import io
import os
import shutil
import subprocess
import struct
import zipfile

import cv2
import numpy as np
from PIL import Image

CORPUS = "tests/fuzz/corpus"

COPIES = {
    "pth": ["tests/data/pth/" + f for f in (
        "mmocr_like_zip.pth", "mmocr_like_legacy.pth", "dtypes_zip.pth", "dtypes_legacy.pth",
        "evil_in_meta.pth", "stride_past_end.pth", "storage_too_small.pth")],
    "predictions": ["tests/data/datasets/ctw1500-mini/preds_demo.json",
                    "tests/data/eval/ctw1500_mini_preds.json"],
    "mmocr_json": ["tests/data/datasets/ctw1500-mini/" + f for f in (
        "instances_test.json", "instances_training.json", "textdet_test.json", "textdet_train.json")],
    "ctw1500_xml": ["tests/data/datasets/ctw1500-mini/annotations/training/0001.xml"],
    "ctw1500_txt": ["tests/data/datasets/ctw1500-mini/annotations/test/0001001.txt",
                    "tests/data/datasets/ctw1500-mini/annotations/test/0001002.txt"],
    "onnx": ["tests/data/onnx/small/" + f for f in (
        "tiny_det.onnx", "unknown_op.onnx", "missing_initializer.onnx", "cycle.onnx", "raw_data_mismatch.onnx",
        "negative_dims.onnx", "huge_dims.onnx", "external_data.onnx")],
    "totaltext_txt": ["tests/data/eval/totaltext/" + f for f in (
        "poly_gt_img3.txt", "poly_gt_img564.txt", "poly_gt_img623.txt")],
    "image_header": ["tests/data/textdet/grey_70x45.png"],
    "image_size": ["tests/data/textdet/grey_70x45.png"],
}


def put(parser, name, data):
    os.makedirs(os.path.join(CORPUS, parser), exist_ok=True)
    with open(os.path.join(CORPUS, parser, name), "wb") as f:
        f.write(data)


def npy_seeds():
    arrays = {
        "f32_2x3.npy": np.arange(6, dtype="<f4").reshape(2, 3),
        "f64_4.npy": np.array([0.5, -1.0, np.inf, 2.0], dtype="<f8"),
        "i64_scalar.npy": np.array(7, dtype="<i8"),
        "i32_1x2x2.npy": np.arange(4, dtype="<i4").reshape(1, 2, 2),
        "u8_5.npy": np.arange(5, dtype="u1"),
        "f32_empty.npy": np.zeros((0, 3), dtype="<f4"),
    }
    for name, a in arrays.items():
        buf = io.BytesIO()
        np.save(buf, a)
        put("npy", name, buf.getvalue())
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ones((2, 2), dtype="<f4"), version=(2, 0))
    put("npy", "f32_v2.npy", buf.getvalue())


def jpeg_with_exif(jpg, orientation):
    # APP1 "Exif" with a little-endian TIFF IFD0 holding one Orientation entry.
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpg[:2] + app1 + jpg[2:]


def image_seeds():
    img = np.zeros((6, 8, 3), np.uint8)
    img[:, :4] = (10, 200, 30)
    out = {}
    for ext in (".png", ".jpg", ".bmp", ".tiff", ".webp", ".ppm", ".pgm"):
        src = img if ext != ".pgm" else img[:, :, 1]
        ok, enc = cv2.imencode(ext, src)
        assert ok, ext
        out["tiny" + ext] = enc.tobytes()
    out["tiny_exif6.jpg"] = jpeg_with_exif(out["tiny.jpg"], 6)
    for parser in ("image_header", "image_size"):
        for name, data in out.items():
            put(parser, name, data)


def jpeg_seeds():
    # One JPEG of each layout decode_jpeg_bgr takes: 4:2:0, 4:4:4, 4:2:2 (PIL chooses the
    # sampling), grey, progressive, restart markers; plus the EXIF one.
    yy, xx = np.mgrid[0:16, 0:24]
    img = np.stack([xx * 10, yy * 15, (xx + yy) * 6], axis=2).astype(np.uint8)
    out = {"tiny.jpg": cv2.imencode(".jpg", img)[1].tobytes()}
    out["tiny_exif6.jpg"] = jpeg_with_exif(out["tiny.jpg"], 6)
    out["grey.jpg"] = cv2.imencode(".jpg", img[:, :, 1])[1].tobytes()
    out["progressive.jpg"] = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes()
    out["restart.jpg"] = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_RST_INTERVAL, 1])[1].tobytes()
    for name, sub in (("s444.jpg", 0), ("s422.jpg", 1)):
        buf = io.BytesIO()
        Image.fromarray(img[:, :, ::-1]).save(buf, "JPEG", quality=80, subsampling=sub)
        out[name] = buf.getvalue()
    for name, data in out.items():
        put("jpeg_decode", name, data)


def pickle_seeds():
    for f in ("mmocr_like_zip.pth", "dtypes_zip.pth", "evil_in_meta.pth", "deep_marks.pth"):
        with zipfile.ZipFile("tests/data/pth/" + f) as z:
            pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            put("pickle", f.replace(".pth", ".pkl"), z.read(pkl))


def icdar2015_seeds():
    put("icdar2015_txt", "gt_img_1.txt",
        "\ufeff377,117,463,117,465,130,378,130,Genaxis Theatre\r\n"
        "493,115,519,115,519,131,493,131,[06]\r\n"
        "374,155,409,155,409,170,374,170,###\r\n".encode("utf-8"))
    put("icdar2015_txt", "gt_img_2.txt", b"602,173,635,175,634,197,602,196,JOINT,COMMA\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-fuzz-seeds", help="path of the built make_fuzz_seeds helper (model_file seeds)")
    args = ap.parse_args()
    for parser, files in COPIES.items():
        os.makedirs(os.path.join(CORPUS, parser), exist_ok=True)
        for f in files:
            shutil.copy(f, os.path.join(CORPUS, parser, os.path.basename(f)))
    npy_seeds()
    image_seeds()
    jpeg_seeds()
    pickle_seeds()
    icdar2015_seeds()
    if args.make_fuzz_seeds:
        os.makedirs(os.path.join(CORPUS, "model_file"), exist_ok=True)
        subprocess.run([args.make_fuzz_seeds, os.path.join(CORPUS, "model_file")], check=True)


if __name__ == "__main__":
    main()
