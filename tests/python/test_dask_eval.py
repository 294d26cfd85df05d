"""examples/dask_eval.py on a 2-worker LocalCluster: the merged table of the
shards run as Dask tasks equals the single run's, byte for byte."""
import os
import subprocess
import sys

from conftest import cli


def test_dask_local_cluster_equals_single_run(demo, tmp_path):
    ann = demo / "ann" / "instances_test.json"
    _, out, _ = cli("eval", "--model", demo / "fp32.textq", "--ann", ann, "--img-root", demo / "raw",
                    "--threads", 1)
    single = out  # the table alone: timing goes to stderr
    r = subprocess.run([sys.executable, "examples/dask_eval.py", "--model", demo / "fp32.textq", "--ann", ann,
                        "--img-root", demo / "raw", "--shards", "4", "--workers", "2", "--parts-dir",
                        tmp_path / "parts"], capture_output=True, text=True, env=dict(os.environ), timeout=240)
    assert r.returncode == 0, r.stderr
    assert r.stdout == single
    assert sorted(os.listdir(tmp_path / "parts")) == [f"part_{i}.json" for i in range(4)]
