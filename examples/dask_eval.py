#!/usr/bin/env python3
"""Dataset evaluation split over a Dask cluster, through the textq Python module.

Each task runs one shard -- textq.eval_shard(...), the same code as
`textq eval --shard I/N -o part_I.json` -- on a worker and returns its part
file's text; the client writes the parts and merges them with
textq.merge_parts, which prints exactly the table of a single run.

    PYTHONPATH=build/python /usr/bin/python3 examples/dask_eval.py \\
        --model m.textq --ann ann/instances_test.json --img-root demo/ctw1500 \\
        --shards 4 --workers 2 --parts-dir parts/

Without --scheduler a LocalCluster with --workers worker processes is started;
with --scheduler tcp://HOST:8786 the tasks go to that cluster, whose workers
must see the model, the annotation file and the images at the same paths
(a shared filesystem) and have the textq module on their PYTHONPATH.
"""
import argparse
import os
import sys
import tempfile

from dask.distributed import Client, LocalCluster

import textq


def run_shard(index, count, model, ann, img_root, metric, threads):
    """One task: detect and score shard index/count, return its part file's text."""
    with tempfile.TemporaryDirectory() as tmp:
        part = textq.eval_shard(ann, f"{index}/{count}", os.path.join(tmp, "part.json"),
                                model=textq.Model(model, threads=threads), img_root=img_root, metric=metric)
        with open(part, encoding="utf-8") as f:
            return f.read()


def evaluate_on_cluster(client, model, ann, img_root, shards, parts_dir, metric="mmocr0", threads=1):
    """Runs the shards as tasks on `client`'s cluster, writes parts_dir/part_I.json, returns the merged table."""
    futures = [client.submit(run_shard, i, shards, model, ann, img_root, metric, threads, pure=False)
               for i in range(shards)]
    os.makedirs(parts_dir, exist_ok=True)
    paths = []
    for i, text in enumerate(client.gather(futures)):
        path = os.path.join(parts_dir, f"part_{i}.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths.append(path)
    return textq.merge_parts(paths)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="textq model file (FP32 or INT8)")
    p.add_argument("--ann", required=True, help="annotation json (MMOCR 0.x instances_*.json or 1.x textdet_*.json)")
    p.add_argument("--img-root", required=True, help="image folder the annotation's img_path is relative to")
    p.add_argument("--metric", default="mmocr0", choices=["mmocr0", "mmocr1"])
    p.add_argument("--shards", type=int, default=4, help="number of tasks (shards)")
    p.add_argument("--parts-dir", required=True, help="where the part files are written")
    p.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    p.add_argument("--threads", type=int, default=1, help="textq threads per task")
    a = p.parse_args(argv)
    paths = [os.path.abspath(x) for x in (a.model, a.ann, a.img_root)]
    if a.scheduler:
        with Client(a.scheduler) as client:
            table = evaluate_on_cluster(client, *paths, a.shards, a.parts_dir, a.metric, a.threads)
    else:
        with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            table = evaluate_on_cluster(client, *paths, a.shards, a.parts_dir, a.metric, a.threads)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except textq.Error as e:
        print(f"dask_eval: error: {e}", file=sys.stderr)
        sys.exit(2)
