#!/usr/bin/env python3
"""Independent numpy implementation of textq's histogram threshold observers
(KL divergence, MSE, percentile; definitions in docs/quantization.md), run on
seeded synthetic |x| histograms, written as the golden used by
tests/golden/quant/observer_golden_test.cpp.

Regenerate:  /usr/bin/python3 scripts/quant_observer_golden.py tests/golden/quant/observer_golden.json
"""
import json
import sys

import numpy as np

BINS = 2048


def kl_curve(h, levels):
    """KL(P||Q) for each candidate i in [levels, len(h)] (TensorRT method)."""
    h = np.asarray(h, dtype=np.float64)
    out = []
    for i in range(levels, len(h) + 1):
        p = h[:i].copy()
        p[i - 1] += h[i:].sum()
        q = np.zeros(i)
        edges = (np.arange(levels + 1, dtype=np.int64) * i) // levels
        for j in range(levels):
            s, e = edges[j], edges[j + 1]
            nz = p[s:e] != 0
            n = int(nz.sum())
            if n:
                q[s:e][nz] = h[s:e].sum() / n
        if q.sum() <= 0:
            out.append(float("inf"))
            continue
        pn, qn = p / p.sum(), q / q.sum()
        m = pn > 0
        qq = np.where(qn[m] == 0, 1e-12, qn[m])
        out.append(float(np.sum(pn[m] * np.log(pn[m] / qq))))
    return out


def mse_curve(h, qmax):
    h = np.asarray(h, dtype=np.float64)
    width = 1.0 / len(h)  # in units of the range; the argmin does not depend on it
    c = (np.arange(len(h)) + 0.5) * width
    out = []
    for i in range(1, len(h) + 1):
        s = i * width / qmax
        qv = np.minimum(np.round(c / s), qmax)  # np.round is half-to-even
        out.append(float(np.sum(h * (c - s * qv) ** 2)))
    return out


def percentile_bin(h, pct):
    cum = np.cumsum(np.asarray(h, dtype=np.float64))
    return int(np.searchsorted(cum, cum[-1] * pct / 100.0, side="left")) + 1  # bins kept


def hist_of(x):
    a = np.abs(x[x != 0])
    rng = float(a.max())
    idx = np.minimum((a / rng * BINS).astype(np.int64), BINS - 1)
    return np.bincount(idx, minlength=BINS).astype(np.int64), rng


def main(path):
    rs = np.random.RandomState(20240611)
    cases = []
    samples = {
        "gaussian_s8": (rs.standard_normal(200000), 128, 127),
        "laplace_s8": (rs.laplace(size=200000), 128, 127),
        "relu_tail_u8": (np.maximum(np.concatenate([rs.standard_normal(150000),
                                                    rs.standard_normal(300) * 12.0]), 0), 256, 255),
    }
    for name, (x, levels, qmax) in samples.items():
        h, rng = hist_of(x.astype(np.float32))
        kl = kl_curve(h, levels)
        mse = mse_curve(h, qmax)
        cases.append({
            "name": name, "range": rng, "levels": levels, "qmax": qmax, "hist": h.tolist(),
            "kl_first_i": levels, "kl": kl, "kl_best_i": levels + int(np.argmin(kl)),
            "mse_best_i": 1 + int(np.argmin(mse)), "mse": mse,
            "percentile": 99.99, "percentile_i": percentile_bin(h, 99.99),
        })
    with open(path, "w") as f:
        json.dump({"generator": "scripts/quant_observer_golden.py", "bins": BINS, "cases": cases}, f)


if __name__ == "__main__":
    main(sys.argv[1])
