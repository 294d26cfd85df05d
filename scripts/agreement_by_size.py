#!/usr/bin/env python3
"""Where two detectors disagree, by text size: for two textq prediction files of
the same images (e.g. FP32 and INT8 from `textq eval --model ... -o`), counts
the polygons of each side that have no polygon of the other side with IoU > 0.5,
grouped by the polygon's short side (of its minimum rotated rectangle, in
pixels of the original image).

`textq eval --preds TEST --ref-preds REF` gives the one agreement number; this
says which text makes up the difference. Pairs are not matched one to one (a
polygon only needs some polygon of the other side over IoU 0.5), so the counts
are close to, not equal to, the metric's.

  /usr/bin/python3 scripts/agreement_by_size.py REF.json TEST.json [--edges 12,16,24] [--min-score 0.3]

Needs shapely (Debian python3-shapely).
"""
import argparse
import json
import math
import os

from shapely.geometry import Polygon


def load(path, min_score):
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for p in doc["predictions"]:
        polys = []
        for coords, score in zip(p["polygons"], p["scores"]):
            if score < min_score:
                continue
            pts = list(zip(coords[0::2], coords[1::2]))
            polys.append(Polygon(pts).buffer(0))  # repaired as the metric's 0.x rules do
        out[os.path.basename(p["img_path"])] = polys
    return out


def short_side(poly):
    if poly.is_empty:
        return 0.0
    c = list(poly.minimum_rotated_rectangle.exterior.coords)
    return min(math.dist(c[0], c[1]), math.dist(c[1], c[2]))


def best_iou(poly, others):
    best = 0.0
    for q in others:
        if not poly.envelope.intersects(q.envelope):
            continue
        union = poly.union(q).area
        if union > 0:
            best = max(best, poly.intersection(q).area / union)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref")
    ap.add_argument("test")
    ap.add_argument("--edges", default="12,16,24", help="bucket edges of the short side, px")
    ap.add_argument("--min-score", type=float, default=0.3, help="polygons below this score are left out")
    args = ap.parse_args()
    edges = [0.0] + [float(e) for e in args.edges.split(",")] + [math.inf]
    ref, test = load(args.ref, args.min_score), load(args.test, args.min_score)
    missing = sorted(set(ref) ^ set(test))
    if missing:
        raise SystemExit("agreement_by_size: images in only one file: " + ", ".join(missing[:5]))

    rows = [[0, 0, 0, 0] for _ in range(len(edges) - 1)]  # ref n, ref unmatched, test n, test unmatched
    for name in ref:
        for side, (mine, other) in enumerate(((ref[name], test[name]), (test[name], ref[name]))):
            for p in mine:
                s = short_side(p)
                b = next(i for i in range(len(edges) - 1) if edges[i] <= s < edges[i + 1])
                rows[b][2 * side] += 1
                if best_iou(p, other) <= 0.5:
                    rows[b][2 * side + 1] += 1

    print("short side (px) | %s polygons | without a match in %s | %s polygons | without a match in %s"
          % (os.path.basename(args.ref), os.path.basename(args.test), os.path.basename(args.test),
             os.path.basename(args.ref)))
    for i, (n, un, m, um) in enumerate(rows):
        hi = "" if math.isinf(edges[i + 1]) else "%g" % edges[i + 1]
        print("%g-%s | %d | %d (%.3f) | %d | %d (%.3f)"
              % (edges[i], hi, n, un, un / n if n else 0, m, um, um / m if m else 0))


if __name__ == "__main__":
    main()
