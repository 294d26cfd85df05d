"""One synthetic scene-text image: textured background, distractor shapes and
1-5 text lines drawn glyph by glyph along straight lines, arcs or sine waves,
each with a tight 14-point CTW1500-style polygon (7 points along the top side
left to right, then 7 along the bottom side right to left).

Everything random comes from the numpy Generator passed in, so a scene is a
pure function of (seed, index) given the same fonts / PIL / numpy versions.
"""
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .words import WORDS

# fonts-dejavu-core (first six) and fonts-dejavu-extra (the rest)
FONT_DIR = '/usr/share/fonts/truetype/dejavu/'
FONT_FILES = [
    'DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf',
    'DejaVuSansMono-Bold.ttf', 'DejaVuSerif.ttf', 'DejaVuSerif-Bold.ttf',
    'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf',
    'DejaVuSansCondensed.ttf', 'DejaVuSansCondensed-Bold.ttf',
    'DejaVuSerif-Italic.ttf', 'DejaVuSerifCondensed-Bold.ttf',
]
_font_cache = {}


def get_font(idx, size):
    key = (idx, size)
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(FONT_DIR + FONT_FILES[idx], size)
    return _font_cache[key]


# ---------------------------------------------------------------- background
def smooth_noise(rng, h, w, cell):
    """Value noise: random grid upsampled with bicubic interpolation."""
    gh, gw = max(2, h // cell + 2), max(2, w // cell + 2)
    g = rng.random((gh, gw)).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def make_background(rng, h, w):
    c0 = rng.integers(0, 256, 3).astype(np.float32)
    c1 = rng.integers(0, 256, 3).astype(np.float32)
    kind = rng.integers(0, 3)
    if kind == 0:    # linear gradient
        ang = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx * math.cos(ang) + yy * math.sin(ang))
        t = (t - t.min()) / (np.ptp(t) + 1e-6)
    else:            # multi-scale value noise ("stone", "foliage", "paper")
        t = np.zeros((h, w), np.float32)
        amp, tot = 1.0, 0.0
        for cell in (int(rng.integers(40, 120)), 16, 6, 3):
            t += amp * smooth_noise(rng, h, w, cell)
            tot += amp
            amp *= float(rng.uniform(0.3, 0.7))
        t /= tot
        t = np.clip((t - t.mean()) * rng.uniform(1.5, 4.0) + 0.5, 0, 1)
    img = c0[None, None] * (1 - t[..., None]) + c1[None, None] * t[..., None]
    return img


def add_distractors(rng, img):
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(0, 7))):
        col = tuple(float(v) for v in rng.integers(0, 256, 3))
        k = rng.integers(0, 4)
        p = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if k == 0:
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p, q, col, int(rng.integers(1, 5)), cv2.LINE_AA)
        elif k == 1:
            q = (p[0] + int(rng.integers(-80, 80)), p[1] + int(rng.integers(-80, 80)))
            cv2.rectangle(img, p, q, col, int(rng.choice([-1, 1, 2, 3])))
        elif k == 2:
            cv2.circle(img, p, int(rng.integers(4, 50)), col,
                       int(rng.choice([-1, 1, 2])), cv2.LINE_AA)
        else:        # stripes / bar-code like texture: a classic false positive
            x0, y0 = p
            for i in range(int(rng.integers(3, 12))):
                x = x0 + i * int(rng.integers(3, 7))
                cv2.line(img, (x, y0), (x, y0 + int(rng.integers(10, 30))),
                         col, 1)
    return img


# ---------------------------------------------------------------- text curves
def curve_points(rng, length):
    """Dense centre curve (N,2) of about `length` px arc length, starting near
    the origin and running left to right, plus its kind name."""
    kind = rng.choice(['line', 'line', 'arc', 'arc', 'sine'])
    t = np.linspace(0.0, 1.0, 400)
    if kind == 'line':
        pts = np.stack([t * length, np.zeros_like(t)], 1)
    elif kind == 'arc':
        sweep = math.radians(rng.uniform(50, 160))
        r = length / sweep
        a = -math.pi / 2 - sweep / 2 + t * sweep  # top of a circle, clockwise
        pts = np.stack([r * np.cos(a), r * np.sin(a) + r], 1)
        if rng.random() < 0.5:                    # smile instead of frown
            pts[:, 1] = -pts[:, 1]
    else:
        periods = rng.uniform(0.6, 1.3)
        amp = length * rng.uniform(0.05, 0.12)
        ph = rng.uniform(0, 2 * math.pi)
        pts = np.stack([t * length, amp * np.sin(2 * math.pi * periods * t + ph)], 1)
    if kind == 'line':
        big = rng.random() < 0.35
        rot = math.radians(rng.uniform(-65, 65) if big else rng.uniform(-15, 15))
    else:
        rot = math.radians(rng.uniform(-25, 25))
    c, s = math.cos(rot), math.sin(rot)
    pts = pts @ np.array([[c, s], [-s, c]])
    return pts, str(kind)


def arclength_param(pts):
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    return cum


def point_and_normal(pts, cum, s):
    """Point on the polyline at arc length s and the unit normal pointing to
    the text's bottom side (tangent rotated +90 degrees in y-down coords)."""
    s = float(np.clip(s, 0, cum[-1]))
    i = int(np.clip(np.searchsorted(cum, s) - 1, 0, len(pts) - 2))
    f = (s - cum[i]) / max(cum[i + 1] - cum[i], 1e-9)
    p = pts[i] * (1 - f) + pts[i + 1] * f
    d = pts[i + 1] - pts[i]
    d = d / (np.linalg.norm(d) + 1e-12)
    return p, np.array([-d[1], d[0]]), math.atan2(d[1], d[0])


def make_text(rng):
    n = int(rng.choice([1, 1, 2, 2, 3]))
    words = [WORDS[int(rng.integers(0, len(WORDS)))] for _ in range(n)]
    case = rng.integers(0, 3)
    if case == 0:
        words = [w.upper() for w in words]
    elif case == 1:
        words = [w.capitalize() for w in words]
    if rng.random() < 0.15:
        words.append(str(int(rng.integers(1, 2000))))
    return ' '.join(words)


def layout_line(rng, text, font, spacing, pts, cum):
    """Glyph placements along the curve; returns list of (char, s_centre)
    and the arc-length span [s0, s1] covered by ink advance."""
    adv = [font.getlength(ch) * spacing for ch in text]
    total = sum(adv)
    s0 = (cum[-1] - total) / 2
    out, s = [], s0
    for ch, a in zip(text, adv):
        out.append((ch, s + a / 2))
        s += a
    return out, s0, s0 + total


def render_line(rng, canvas_mask, text, font, spacing, pts, cum, offset, band):
    """Draw glyphs (alpha mask, float 0..1) into canvas_mask. `band` =
    (asc, desc): ink extent above/below the baseline. The curve is the band's
    centre line, so the baseline sits (asc - desc)/2 below it."""
    asc, desc = band
    glyphs, s0, s1 = layout_line(rng, text, font, spacing, pts, cum)
    size = font.size
    box = int(size * 3)
    for ch, sc in glyphs:
        if ch == ' ':
            continue
        p, nrm, ang = point_and_normal(pts, cum, sc)
        base = p + offset + nrm * (asc - desc) / 2.0
        g = Image.new('L', (box, box), 0)
        ImageDraw.Draw(g).text((box / 2, box / 2), ch, fill=255, font=font,
                               anchor='ms')
        g = g.rotate(-math.degrees(ang), resample=Image.BICUBIC,
                     center=(box / 2, box / 2))
        ga = np.asarray(g, np.float32) / 255.0
        x0 = int(round(base[0] - box / 2))
        y0 = int(round(base[1] - box / 2))
        h, w = canvas_mask.shape
        xa, ya = max(0, x0), max(0, y0)
        xb, yb = min(w, x0 + box), min(h, y0 + box)
        if xa >= xb or ya >= yb:
            continue
        sub = ga[ya - y0:yb - y0, xa - x0:xb - x0]
        np.maximum(canvas_mask[ya:yb, xa:xb], sub, out=canvas_mask[ya:yb, xa:xb])
    return s0, s1


def line_polygon(pts, cum, offset, s0, s1, half_h):
    """14 points: 7 on the top side (left to right), 7 on the bottom side
    (right to left)."""
    top, bot = [], []
    for s in np.linspace(s0, s1, 7):
        p, nrm, _ = point_and_normal(pts, cum, s)
        top.append(p + offset - nrm * half_h)
        bot.append(p + offset + nrm * half_h)
    return np.array(top + bot[::-1])


def dense_band(pts, cum, offset, s0, s1, half_h):
    top, bot = [], []
    for s in np.linspace(s0, s1, 40):
        p, nrm, _ = point_and_normal(pts, cum, s)
        top.append(p + offset - nrm * half_h)
        bot.append(p + offset + nrm * half_h)
    return np.array(top + bot[::-1])


# ---------------------------------------------------------------- scene
def make_scene(rng):
    """Returns (BGR uint8 image, list of (polygon int (14,2), text))."""
    w = int(rng.integers(44, 61)) * 8          # 352..480
    h = int(np.clip(w * rng.uniform(0.72, 1.3), 320, 480)) // 8 * 8
    img = make_background(rng, h, w)
    img = add_distractors(rng, img)
    occupied = np.zeros((h, w), np.uint8)
    instances = []
    n_lines = int(rng.integers(1, 6))
    for _ in range(n_lines):
        for _attempt in range(25):
            text = make_text(rng)
            fidx = int(rng.integers(0, len(FONT_FILES)))
            size = int(rng.integers(14, 40))
            font = get_font(fidx, size)
            spacing = float(rng.uniform(1.0, 1.15))
            length = sum(font.getlength(ch) for ch in text) * spacing
            if length > 0.92 * w or length < 8:
                continue
            x0, y0, x1, y1 = font.getbbox(text, anchor='ls')
            asc, desc = -y0, max(y1, 0)
            pad = 0.08 * (asc + desc)                 # annotator's margin
            half_h = (asc + desc) / 2.0 + pad
            pts, _kind = curve_points(rng, length * 1.02 + 2)
            cum = arclength_param(pts)
            # centre the curve's span in the image at a random place
            lo, hi = pts.min(0) - half_h, pts.max(0) + half_h
            span = hi - lo
            if span[0] > w - 6 or span[1] > h - 6:
                continue
            off = np.array([rng.uniform(3 - lo[0], w - 3 - hi[0]),
                            rng.uniform(3 - lo[1], h - 3 - hi[1])])
            s0 = (cum[-1] - length) / 2
            s1 = s0 + length
            band = dense_band(pts, cum, off, s0, s1, half_h)
            m = np.zeros_like(occupied)
            cv2.fillPoly(m, [np.round(band).astype(np.int32)], 1)
            gap = max(3, int(0.35 * half_h * 2))
            if (cv2.dilate(m, np.ones((gap, gap), np.uint8)) & occupied).any():
                continue
            ink = np.zeros((h, w), np.float32)
            render_line(rng, ink, text, font, spacing, pts, cum, off,
                        (asc, desc))
            bg_mean = img[m > 0].mean(0) if (m > 0).any() else img.mean((0, 1))
            col = rng.integers(0, 256, 3).astype(np.float32)
            if abs(col.mean() - bg_mean.mean()) < 70:
                col = np.where(bg_mean.mean() > 127, col * 0.3, 255 - (255 - col) * 0.3)
            if rng.random() < 0.15:   # dark/light outline for some lines
                k = np.ones((3, 3), np.uint8)
                outline = cv2.dilate(ink, k)
                ocol = 255.0 - col
                img = img * (1 - outline[..., None]) + ocol * outline[..., None]
            img = img * (1 - ink[..., None]) + col * ink[..., None]
            occupied |= m
            poly = line_polygon(pts, cum, off, s0, s1, half_h)
            poly = np.round(poly).astype(np.int64)
            poly[:, 0] = np.clip(poly[:, 0], 0, w - 1)
            poly[:, 1] = np.clip(poly[:, 1], 0, h - 1)
            instances.append((poly, text))
            break
    # photometric degradations
    sigma = float(rng.choice([0.0, 0.0, 0.6, 1.0, 1.4]))
    if sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    img = img + rng.normal(0, rng.uniform(0, 8), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return img, instances
