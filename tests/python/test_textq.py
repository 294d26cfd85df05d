"""The textq Python module against the CLI: the same library, so the same
bytes (eval tables, model files) and the same detections."""
import json
import sys
import threading

import cv2
import numpy as np
import pytest

import textq
from conftest import cli

MINI = "tests/data/datasets/ctw1500-mini"
PREDS = "tests/data/eval/ctw1500_mini_preds.json"
IMAGES = [f"demo/ctw1500/test_images/{n}.jpg" for n in (1001, 1002, 1003)]


@pytest.mark.parametrize("ann,metric", [(f"{MINI}/instances_test.json", "mmocr0"),
                                        (f"{MINI}/textdet_test.json", "mmocr1"),
                                        (f"{MINI}/textdet_test.json", "mmocr0")])
def test_evaluate_equals_cli(ann, metric):
    _, out, _ = cli("eval", "--preds", PREDS, "--ann", ann, "--metric", metric)
    assert textq.evaluate(PREDS, ann, metric=metric) == out
    assert "best (" + metric + ")" in out


def test_evaluate_in_memory_predictions():
    with open(PREDS) as f:
        preds = json.load(f)["predictions"]
    table = {p["img_path"]: [(np.array(poly, dtype=np.float64).reshape(-1, 2), s)
                             for poly, s in zip(p["polygons"], p["scores"])] for p in preds}
    ann = f"{MINI}/instances_test.json"
    assert textq.evaluate(table, ann) == textq.evaluate(PREDS, ann)


def test_errors_carry_the_cli_message(tmp_path):
    bad = tmp_path / "odd.json"
    bad.write_text('{"format":"textq-predictions","version":1,"predictions":[{"img_path":"1001.jpg",'
                   '"polygons":[[1,2,3,4,5]],"scores":[0.5]}]}')
    code, _, err = cli("eval", "--preds", bad, "--ann", f"{MINI}/textdet_test.json", check=False)
    assert code == 2
    with pytest.raises(textq.InvalidFileError) as e:
        textq.evaluate(bad, f"{MINI}/textdet_test.json")
    assert isinstance(e.value, textq.Error)
    assert err == f"textq: error: {e.value}\n"

    with pytest.raises(textq.InvalidArgumentError, match="^--metric must be mmocr0 or mmocr1, got x$") as e:
        textq.evaluate(PREDS, f"{MINI}/textdet_test.json", metric="x")
    assert isinstance(e.value, ValueError)
    with pytest.raises(textq.FileError) as e:
        textq.Model(tmp_path / "missing.textq")
    code, _, err = cli("info", tmp_path / "missing.textq", check=False)
    assert code == 2 and err == f"textq: error: {e.value}\n"
    with pytest.raises(textq.InvalidFileError):
        textq.Model(PREDS)


def test_convert_and_quantize_equal_cli(demo, tmp_path):
    textq.convert("demo/textsnake_demo.pth", tmp_path / "py.textq")
    assert (tmp_path / "py.textq").read_bytes() == (demo / "fp32.textq").read_bytes()
    calib = "demo/ctw1500_calib/train_images"
    cli("quantize", demo / "fp32.textq", "--calib", calib, "--num", 3, "--method", "minmax", "--diag-num", 0,
        "--threads", 1, "-o", tmp_path / "cli_int8.textq")
    textq.quantize(demo / "fp32.textq", calib, tmp_path / "py_int8.textq", num=3, method="minmax", threads=1)
    assert (tmp_path / "py_int8.textq").read_bytes() == (tmp_path / "cli_int8.textq").read_bytes()
    assert textq.Model(tmp_path / "py_int8.textq").precision == "int8"
    with pytest.raises(textq.InvalidArgumentError, match="already INT8"):
        textq.quantize(tmp_path / "py_int8.textq", calib, tmp_path / "again.textq")


@pytest.mark.parametrize("kwargs, flags", [
    (dict(fold_head=False, bias_correction=True, gptq=True), ["--no-fold-head", "--bias-correction", "--gptq"]),
    # equalize_dw is on by default (for models with depthwise convs): turning it off is the step.
    (dict(equalize_dw=False, nonneg_shift=True, fold_pointwise=True), ["--no-equalize-dw", "--nonneg-shift", "--fold-pointwise"]),
])
def test_quantize_options_equal_cli(demo, tmp_path, kwargs, flags):
    """The optional steps run by the library give the CLI's bytes, and change the model."""
    if "equalize_dw" in kwargs:  # depthwise convs, HardSwish and a linear conv -> 1x1 pair: PP-OCRv4
        fp32 = tmp_path / "ppocr.textq"
        cli("convert", "tests/data/models/ppocrv4_det.onnx", "-o", fp32)
        calib = "tests/data/photos/totaltext"
    else:
        fp32, calib = demo / "fp32.textq", "demo/ctw1500_calib/train_images"
    common = dict(num=2, method="mse", threads=1)
    cli("quantize", fp32, "--calib", calib, "--num", 2, "--diag-num", 0, "--threads", 1, *flags, "-o", tmp_path / "cli.textq")
    textq.quantize(fp32, calib, tmp_path / "py.textq", **common, **kwargs)
    textq.quantize(fp32, calib, tmp_path / "plain.textq", **common)
    assert (tmp_path / "py.textq").read_bytes() == (tmp_path / "cli.textq").read_bytes()
    assert (tmp_path / "py.textq").read_bytes() != (tmp_path / "plain.textq").read_bytes()
    # Each step alone changes the model too.
    for key in kwargs:
        textq.quantize(fp32, calib, tmp_path / "one.textq", **common, **{key: kwargs[key]})
        assert (tmp_path / "one.textq").read_bytes() != (tmp_path / "plain.textq").read_bytes(), key


@pytest.fixture(scope="module")
def model(demo):
    return textq.Model(demo / "fp32.textq", threads=2)


def test_detect_equals_cli(demo, model, tmp_path):
    cli("detect", demo / "fp32.textq", *IMAGES, "--threads", 2, "-o", tmp_path / "preds.json")
    with open(tmp_path / "preds.json") as f:
        expected = json.load(f)["predictions"]
    assert model.precision == "fp32" and model.threads == 2 and model.backend == "onednn"
    found = 0
    for image, exp in zip(IMAGES, expected):
        dets = model.detect(cv2.imread(image))
        assert len(dets) == len(exp["polygons"])
        for (poly, score), epoly, escore in zip(dets, exp["polygons"], exp["scores"]):
            assert poly.dtype == np.float32 and poly.shape == (len(epoly) // 2, 2)
            assert np.array_equal(poly, np.array(epoly, dtype=np.float32).reshape(-1, 2))
            assert score == escore
            found += 1
    assert found > 0


def test_detect_batch_and_strided_views(model):
    images = [cv2.imread(p) for p in IMAGES]
    single = [model.detect(im) for im in images]
    batch = model.detect_batch(images)
    same = lambda a, b: len(a) == len(b) and all(np.array_equal(p, q) and s == t for (p, s), (q, t) in zip(a, b))
    assert all(same(a, b) for a, b in zip(single, batch))
    # A view with padded rows is read in place (no copy is made of the pixels).
    h, w, _ = images[0].shape
    wide = np.zeros((h, w + 7, 3), np.uint8)
    wide[:, :w] = images[0]
    assert same(model.detect(wide[:, :w]), single[0])


def test_detect_refuses_wrong_arrays(model):
    with pytest.raises(textq.InvalidArgumentError, match="HxWx3 uint8"):
        model.detect(np.zeros((32, 32, 3), np.float32))
    with pytest.raises(textq.InvalidArgumentError, match="HxWx3 uint8"):
        model.detect(np.zeros((32, 32), np.uint8))
    with pytest.raises(textq.InvalidArgumentError, match="np.ascontiguousarray"):
        model.detect(np.zeros((32, 32, 3), np.uint8)[:, ::-1])
    with pytest.raises(textq.InvalidArgumentError, match="threads"):
        textq.Model(model.path, threads=-1)
    with pytest.raises(textq.InvalidArgumentError, match="expected fp32 or bf16"):
        textq.Model(model.path, precision="fp16")
    with pytest.raises(textq.InvalidArgumentError, match="bf16 precision runs on the onednn backend only"):
        textq.Model(model.path, backend="reference", precision="bf16")


def test_bf16_detects_like_the_cli(model, tmp_path):
    """precision="bf16" is the CLI's --precision bf16: the same polygons and scores."""
    try:
        m = textq.Model(model.path, threads=2, precision="bf16")
    except textq.UnsupportedError as e:  # a CPU without AVX-512 BF16
        pytest.skip(str(e))
    out = tmp_path / "bf16.json"
    cli("detect", model.path, IMAGES[0], "--threads", 2, "--precision", "bf16", "-o", out)
    exp = json.loads(out.read_text())["predictions"][0]
    got = m.detect(cv2.imread(IMAGES[0]))
    assert len(got) == len(exp["polygons"]) > 0
    for (poly, score), epoly, escore in zip(got, exp["polygons"], exp["scores"]):
        assert np.array_equal(poly, np.array(epoly, dtype=np.float32).reshape(-1, 2))
        assert score == escore


def test_detect_from_threads(model, demo):
    """Two threads, two models: each result equals the sequential one."""
    other = textq.Model(demo / "fp32.textq", threads=2)
    images = [cv2.imread(p) for p in IMAGES]
    expected = [[(p.tolist(), s) for p, s in model.detect(im)] for im in images]
    results = {}

    def work(m, key):
        results[key] = [[(p.tolist(), s) for p, s in m.detect(im)] for im in images]

    threads = [threading.Thread(target=work, args=(m, k)) for k, m in enumerate([model, other])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == expected and results[1] == expected


def test_shards_merge_to_the_single_run(demo, tmp_path):
    ann = demo / "ann" / "instances_test.json"
    _, out, _ = cli("eval", "--model", demo / "fp32.textq", "--ann", ann, "--img-root", demo / "raw",
                    "--threads", 2, "-o", tmp_path / "preds.json")
    single = out  # the table alone: timing goes to stderr
    m = textq.Model(demo / "fp32.textq", threads=2)
    parts = [textq.eval_shard(ann, f"{i}/3", tmp_path / f"part_{i}.json", model=m, img_root=demo / "raw")
             for i in range(3)]
    assert textq.merge_parts(parts) == single
    # Parts of the Python module and of the CLI are interchangeable.
    cli("eval", "--model", demo / "fp32.textq", "--ann", ann, "--img-root", demo / "raw", "--threads", 2,
        "--shard", "1/3", "-o", tmp_path / "cli_part_1.json")
    assert (tmp_path / "cli_part_1.json").read_bytes() == (tmp_path / "part_1.json").read_bytes()
    _, merged, _ = cli("eval", "--merge", *parts)
    assert merged == single
    with pytest.raises(textq.InvalidArgumentError, match="shard 1/3 is missing"):
        textq.merge_parts([parts[0], parts[2]])
    pparts = [textq.eval_shard(ann, f"{i}/2", tmp_path / f"pp_{i}.json", preds=tmp_path / "preds.json")
              for i in range(2)]
    assert textq.merge_parts(pparts) == textq.evaluate(tmp_path / "preds.json", ann) == single


def test_detect_releases_the_gil(model):
    """With a 100 s switch interval the GIL changes hands only when its holder
    lets it go: this thread runs Python while the worker is inside
    detect_batch only if the call released it (else it waits for the worker's end)."""
    images = [cv2.imread(p) for p in IMAGES]
    state = {"in_call": False, "done": False, "ticks": 0}

    def work():
        state["in_call"] = True
        model.detect_batch(images)
        state["in_call"] = False
        state["done"] = True

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        while not state["done"] and state["ticks"] < 1000:
            if state["in_call"]:
                state["ticks"] += 1
        t.join()
    finally:
        sys.setswitchinterval(interval)
    assert state["ticks"] == 1000
