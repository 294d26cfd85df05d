"""Fixtures of the textq Python tests. ctest runs them from the source tree
with PYTHONPATH=build/python and TEXTQ_CLI=build/textq (tests/CMakeLists.txt)."""
import os
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
    """The demo data prepared as scripts/demo.sh does: annotation json and the FP32 model."""
    d = tmp_path_factory.mktemp("demo")
    cli("dataset", "ctw1500", "demo/ctw1500", "-o", d / "ann")
    cli("convert", "demo/textsnake_demo.pth", "-o", d / "fp32.textq")
    return d
