"""Fixtures of the textq Python tests. ctest runs them from the source tree
with PYTHONPATH=build/python and TEXTQ_CLI=build/textq (tests/CMakeLists.txt)."""
import os
import shutil
import subprocess

import pytest

CLI = os.environ.get("TEXTQ_CLI", "build/textq")


def cli(*args, check=True):
    """Runs the textq CLI; returns (exit code, stdout, stderr)."""
    r = subprocess.run([CLI, "-q", *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"textq {' '.join(map(str, args))} failed: {r.stderr}")
    return r.returncode, r.stdout, r.stderr


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The first 12 demo test images in the raw CTW1500 layout (raw/), prepared as
    scripts/demo.sh does (ann/ by `textq dataset`), and the FP32 model (fp32.textq)."""
    d = tmp_path_factory.mktemp("demo")
    (d / "raw" / "test_images").mkdir(parents=True)
    (d / "raw" / "ctw1500_test_labels").mkdir()
    for name in sorted(os.listdir("demo/ctw1500/test_images"))[:12]:
        shutil.copy(f"demo/ctw1500/test_images/{name}", d / "raw" / "test_images")
        shutil.copy(f"demo/ctw1500/ctw1500_test_labels/000{name[:-4]}.txt", d / "raw" / "ctw1500_test_labels")
    cli("dataset", "ctw1500", d / "raw", "-o", d / "ann")
    cli("convert", "demo/textsnake_demo.pth", "-o", d / "fp32.textq")
    return d
