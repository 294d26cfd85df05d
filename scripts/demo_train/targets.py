"""TextSnake training targets, written after MMOCR 0.x `TextSnakeTargets`
(resample_step 4, centre-region shrink 0.3, head/tail shrink = height/4).

Sides: MMOCR finds the two long sides of a polygon with a scoring heuristic
(`find_head_tail`). Our synthetic polygons are generated, so we know them:
points 0-6 are the top side (left to right) and 7-13 the bottom side (right to
left), as in CTW1500 (split k = n // 2). Real photos' polygons are reordered
by our own rule (`sides.find_sides`) and come with their split k. Everything
after that (resampling, centre line, orientation rule, shrink, per-quad
sin/cos/radius) follows the MMOCR algorithm. Ignored ('###') polygons only
clear the loss mask (neither text nor background), as MMOCR's gt_mask.
"""
import cv2
import numpy as np

RESAMPLE_STEP = 4.0
SHRINK = 0.3
EPS = 1e-8


def resample_line(line, n):
    """n points equally spaced by arc length along a polyline."""
    seg = np.linalg.norm(np.diff(line, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, cum[-1], n)
    x = np.interp(t, cum, line[:, 0])
    y = np.interp(t, cum, line[:, 1])
    return np.stack([x, y], 1)


def curve_length(line):
    return float(np.linalg.norm(np.diff(line, axis=0), axis=1).sum())


def center_line_attribs(poly, split=None):
    """Resampled top / bottom sides and centre line (same point count), the
    centre line oriented left->right (or top->bottom if steep), ends shrunk.
    poly[:split] is one side, poly[split:] the other (default: halves)."""
    half = len(poly) // 2 if split is None else split
    top, bot = poly[:half], poly[half:]
    n = max(int((curve_length(top) + curve_length(bot)) / 2 / RESAMPLE_STEP) + 1, 3)
    top = resample_line(top, n)
    bot = resample_line(bot, n)[::-1]
    center = (top + bot) / 2
    d = center[-1] - center[0]
    steep = abs(d[1] / (d[0] + EPS)) > 0.9
    if (steep and d[1] < 0) or (not steep and d[0] < 0):
        center, top, bot = center[::-1], top[::-1], bot[::-1]
    head = int(np.linalg.norm(top[0] - bot[0]) / 4.0 // RESAMPLE_STEP)
    tail = int(np.linalg.norm(top[-1] - bot[-1]) / 4.0 // RESAMPLE_STEP)
    if len(center) > head + tail + 2:
        sl = slice(head, len(center) - tail)
        center, top, bot = center[sl], top[sl], bot[sl]
    return top, bot, center


def make_targets(h, w, polys, splits=None, ignores=()):
    """polys: list of (n,2) float arrays in this image's pixel frame, with
    their side splits (default: halves); ignores: polygons to leave out of
    the loss. Returns text mask, centre mask (uint8), radius, sin, cos
    (float32) and the loss mask (uint8, 0 on ignored polygons)."""
    if splits is None:
        splits = [None] * len(polys)
    text = np.zeros((h, w), np.uint8)
    center = np.zeros((h, w), np.uint8)
    radius = np.zeros((h, w), np.float32)
    sin_m = np.zeros((h, w), np.float32)
    cos_m = np.zeros((h, w), np.float32)
    for poly in polys:
        cv2.fillPoly(text, [poly.astype(np.int32)], 1)
    for poly, split in zip(polys, splits):
        top, bot, cl = center_line_attribs(poly, split)
        for i in range(len(cl) - 1):
            r = np.linalg.norm((top[i] + top[i + 1]) / 2 -
                               (bot[i] + bot[i + 1]) / 2) / 2
            d = cl[i + 1] - cl[i]
            nd = np.linalg.norm(d) + EPS
            quad = np.stack([
                cl[i] + (top[i] - cl[i]) * SHRINK,
                cl[i + 1] + (top[i + 1] - cl[i + 1]) * SHRINK,
                cl[i + 1] + (bot[i + 1] - cl[i + 1]) * SHRINK,
                cl[i] + (bot[i] - cl[i]) * SHRINK]).astype(np.int32)
            cv2.fillPoly(center, [quad], 1)
            cv2.fillPoly(sin_m, [quad], float(d[1] / nd))
            cv2.fillPoly(cos_m, [quad], float(d[0] / nd))
            cv2.fillPoly(radius, [quad], float(r))
    mask = np.ones((h, w), np.uint8)
    for poly in ignores:
        cv2.fillPoly(mask, [poly.astype(np.int32)], 0)
    return text, center, radius, sin_m, cos_m, mask
