#!/usr/bin/env python3
"""Builds the small `textq report` fixtures in this folder from a full demo run.

The inputs come from textq itself (this is a rendering test, not a golden:
the numbers the report shows are checked against `textq eval`, which has its
own MMOCR goldens). Usage, from the repository root, after the demo run in
docs/report.md has written RUN/{preds_fp32,preds_int8,bench_fp32,bench_int8,quant}.json:

    /usr/bin/python3 tests/data/report/make_fixtures.py RUN

It copies four demo images (three where INT8 and FP32 differ, one where they
agree) with their CTW1500 label files, keeps only those images' predictions,
and drops the per-sample and per-layer timings from the bench files.
"""
import json
import os
import shutil
import sys

IMAGES = ["1027", "1025", "1030", "1002"]
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "..", "demo", "ctw1500")


def main():
    run = sys.argv[1]
    for sub in ("test_images", "ctw1500_test_labels"):
        os.makedirs(os.path.join(HERE, "ctw1500", sub), exist_ok=True)
    for i in IMAGES:
        shutil.copyfile(os.path.join(DEMO, "test_images", i + ".jpg"), os.path.join(HERE, "ctw1500", "test_images", i + ".jpg"))
        label = "000" + i + ".txt"
        shutil.copyfile(os.path.join(DEMO, "ctw1500_test_labels", label),
                        os.path.join(HERE, "ctw1500", "ctw1500_test_labels", label))
    for name in ("preds_fp32.json", "preds_int8.json"):
        d = json.load(open(os.path.join(run, name)))
        d["predictions"] = [p for p in d["predictions"] if os.path.basename(p["img_path"])[:-4] in IMAGES]
        d["model"] = os.path.basename(d.get("model", ""))
        assert len(d["predictions"]) == len(IMAGES), name
        json.dump(d, open(os.path.join(HERE, name), "w"))
    for name in ("bench_fp32.json", "bench_int8.json"):
        d = json.load(open(os.path.join(run, name)))
        d.pop("layers", None)
        d["model"] = os.path.basename(d["model"])
        json.dump(d, open(os.path.join(HERE, name), "w"), indent=1)
    q = json.load(open(os.path.join(run, "quant.json")))
    for k in ("model_fp32", "model_int8"):
        q[k] = os.path.basename(q[k])
    q["calibration"]["source"] = "demo/ctw1500_calib/train_images"
    json.dump(q, open(os.path.join(HERE, "quant.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
