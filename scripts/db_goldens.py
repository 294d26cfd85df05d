#!/usr/bin/env python3
"""Goldens for the DB decoder and PaddleOCR's detection pre-processing, made by
the reference implementations themselves (never by textq):

  * PaddleOCR  ppocr/postprocess/db_postprocess.py  (DBPostProcess)
               ppocr/data/imaug/operators.py        (DetResizeForTest,
                                                      NormalizeImage, ToCHWImage)
  * MMOCR 0.x  mmocr/models/textdet/postprocess/{db_postprocessor,utils,
               base_postprocessor}.py, mmocr/core/mask.py (points2boundary),
               mmocr/models/textdet/dense_heads/head_mixin.py (get_boundary,
               resize_boundary: the rescale to the original image)
  * MMOCR 1.x  mmocr/models/textdet/postprocessors/{db_postprocessor,base}.py,
               mmocr/utils/polygon_utils.py (offset_polygon, rescale_polygons)
  * MMOCR 0.x's test pipeline of DBNet: mmdetection 2.x
               mmdet/datasets/pipelines/transforms.py (Resize, Normalize, Pad;
               MMOCR 0.x registers into mmdet's PIPELINES) over mmcv 1.7
               mmcv/image/{geometric,photometric}.py

Their code is not part of this repository. Get it with
  git clone https://github.com/open-mmlab/mmocr && git -C mmocr worktree add ../mmocr-0.6.3 v0.6.3
  (and v1.0.1), mmcv (git clone -b v1.7.0 https://github.com/open-mmlab/mmcv),
  mmdetection 2.x (git clone -b v2.28.2 https://github.com/open-mmlab/mmdetection), and PaddleOCR (any version whose DBPostProcess has box_type,
  e.g. release/2.7: git clone -b release/2.7 https://github.com/PaddlePaddle/PaddleOCR)
and pass the checkouts on the command line. The named classes and functions
are read out of those files with `ast` and executed against the real numpy /
OpenCV / shapely / pyclipper / torch; the packages they import but the
decoders do not need (paddle, mmcv, mmengine, mmocr's registries) are replaced
by the few stand-ins below (a paddle.Tensor type to test against, no-op
argument checks, an attribute bag for InstanceData), and np.array gets back its
NumPy < 1.24 answer for ragged input (see numpy_before_1_24).

The probability maps of real photos come from PaddleOCR's PP-OCRv4 mobile
detector (ch_PP-OCRv4_det_infer.onnx) run by OpenCV DNN on the PaddleOCR
pre-processing of the photo; OpenCV 4.6 refuses its 3-input Clip nodes, so they
are rewritten to Clip-6 min/max attributes first (same function).

Run with /usr/bin/python3 (numpy 1.24, opencv 4.6, shapely 1.8, pyclipper
1.2, torch 1.13) from the project root:

  /usr/bin/python3 scripts/db_goldens.py --paddle-root PADDLEOCR \\
      --mmocr0-root MMOCR_0_6_3 --mmocr1-root MMOCR_1_0_1 --mmcv-root MMCV_1_7 --mmdet-root MMDET_2 \\
      --onnx ch_PP-OCRv4_det_infer.onnx --out tests/data/db
"""
import argparse
import ast
import hashlib
import json
import os
import sys
import types
import typing

import cv2
import numpy as np
import pyclipper
import torch
from shapely.geometry import Polygon

PHOTOS = 'tests/data/photos'


# ----------------------------------------------------------------- loading

def load_defs(path, names, ns, owner=None):
    """Executes the top-level functions/classes/assignments `names` of `path`
    in `ns` (decorators dropped). With `owner`, the methods `names` of class
    `owner` are executed as plain functions instead."""
    tree = ast.parse(open(path).read(), path)
    body = tree.body
    if owner:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == owner).body
    found = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            node.decorator_list = []
            exec(compile(ast.Module([node], []), path, 'exec'), ns)
            found.add(node.name)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                getattr(node.targets[0], 'id', None) in names:
            exec(compile(ast.Module([node], []), path, 'exec'), ns)
            found.add(node.targets[0].id)
    missing = set(names) - found
    if missing:
        sys.exit(f'{path}: {sorted(missing)} not found')


def numpy_before_1_24():
    # The references were written for NumPy < 1.24, where np.array() of
    # ragged lists (pyclipper returning several paths) made an object array
    # instead of raising; their skip tests (`isinstance(poly[0], list)`,
    # `len(box) > 1`) rely on that. This NumPy raises, so restore the old result.
    m = types.ModuleType('numpy')
    m.__dict__.update(np.__dict__)

    def array(obj, *args, **kwargs):
        try:
            return np.array(obj, *args, **kwargs)
        except ValueError:
            if args or 'dtype' in kwargs:
                raise
            return np.array(obj, dtype=object)
    m.array = array
    return m


def base_ns():
    ns = dict(np=numpy_before_1_24(), cv2=cv2, pyclipper=pyclipper, Polygon=Polygon, torch=torch, math=__import__('math'),
              sys=sys, Tensor=torch.Tensor, ArrayLike=typing.Any, TextDetDataSample=typing.Any)
    ns.update({k: getattr(typing, k) for k in typing.__all__})
    return ns


def paddle_stub():
    # The decoders test `isinstance(pred, paddle.Tensor)` and DetResizeForTest
    # asks for the device; nothing else of paddle is used.
    m = types.ModuleType('paddle')
    m.Tensor = type('Tensor', (), {})
    m.get_device = lambda: 'cpu'
    return m


def load_paddle(root):
    ns = base_ns()
    ns['paddle'] = paddle_stub()
    ns['get_device'] = ns['paddle'].get_device
    load_defs(os.path.join(root, 'ppocr/postprocess/db_postprocess.py'), ['DBPostProcess'], ns)
    load_defs(os.path.join(root, 'ppocr/data/imaug/operators.py'),
              ['DetResizeForTest', 'NormalizeImage', 'ToCHWImage'], ns)
    return ns


class CheckArgument:  # mmocr.utils.check_argument: assertions only
    is_2dlist = staticmethod(lambda x: True)
    is_type_list = staticmethod(lambda x, t: True)
    valid_boundary = staticmethod(lambda b, with_score=True: True)


def load_mmocr0(root):
    ns = base_ns()
    ns['check_argument'] = CheckArgument
    pp = os.path.join(root, 'mmocr/models/textdet/postprocess')
    load_defs(os.path.join(pp, 'utils.py'), ['box_score_fast', 'unclip'], ns)
    load_defs(os.path.join(root, 'mmocr/core/mask.py'), ['points2boundary'], ns)
    load_defs(os.path.join(pp, 'base_postprocessor.py'), ['BasePostprocessor'], ns)
    load_defs(os.path.join(pp, 'db_postprocessor.py'), ['DBPostprocessor'], ns)
    load_defs(os.path.join(root, 'mmocr/models/textdet/dense_heads/head_mixin.py'),
              ['get_boundary', 'resize_boundary'], ns, owner='HeadMixin')
    return ns


class InstanceData:  # mmengine's InstanceData, as far as the postprocessor uses it
    def keys(self):
        return list(vars(self).keys())

    def __setitem__(self, k, v):
        setattr(self, k, v)

    def __getitem__(self, k):
        return getattr(self, k)


def load_mmocr1(root):
    ns = base_ns()
    ns['InstanceData'] = InstanceData
    load_defs(os.path.join(root, 'mmocr/utils/polygon_utils.py'),
              ['offset_polygon', 'rescale_polygon', 'rescale_polygons'], ns)
    pp = os.path.join(root, 'mmocr/models/textdet/postprocessors')
    load_defs(os.path.join(pp, 'base.py'), ['BaseTextDetPostProcessor'], ns)
    load_defs(os.path.join(pp, 'db_postprocessor.py'), ['DBPostprocessor'], ns)
    return ns


def load_mmocr0_preprocess(mmcv_root, mmdet_root):
    """MMOCR 0.x's test pipeline: mmdet 2.x Resize(keep_ratio) / Normalize /
    Pad (MMOCR registers into mmdet's PIPELINES) over mmcv 1.x functions."""
    mmcv = types.ModuleType('mmcv')
    ns = base_ns()
    ns['numbers'] = __import__('numbers')
    load_defs(os.path.join(mmcv_root, 'mmcv/utils/misc.py'), ['is_seq_of', 'is_list_of'], ns)
    load_defs(os.path.join(mmcv_root, 'mmcv/image/geometric.py'),
              ['_scale_size', 'cv2_interp_codes', 'imresize', 'rescale_size', 'imrescale', 'impad',
               'impad_to_multiple'], ns)
    load_defs(os.path.join(mmcv_root, 'mmcv/image/photometric.py'), ['imnormalize', 'imnormalize_'], ns)
    for k, v in ns.items():
        setattr(mmcv, k, v)
    det = base_ns()
    det['mmcv'] = mmcv
    det['warnings'] = __import__('warnings')
    load_defs(os.path.join(mmdet_root, 'mmdet/datasets/pipelines/transforms.py'), ['Resize', 'Pad', 'Normalize'], det)
    return det


def mmocr0_preprocess(det, img, scale, mean, std):
    """MultiScaleFlipAug(img_scale=scale) -> Resize(keep_ratio=True) ->
    Normalize -> Pad(size_divisor=32) -> ImageToTensor (CHW)."""
    results = dict(img=img, img_fields=['img'], scale=scale)
    det['Resize'](keep_ratio=True)._resize_img(results)
    results = det['Normalize'](mean=mean, std=std, to_rgb=True)(results)
    det['Pad'](size_divisor=32)._pad_img(results)
    return np.ascontiguousarray(results['img'].transpose(2, 0, 1)), results


# ------------------------------------------------------------ reference runs

def run_paddle(ns, prob, params, ori_h, ori_w):
    """DBPostProcess.__call__ on one map; the scores come from the inner
    boxes_/polygons_from_bitmap call (__call__ drops them)."""
    post = ns['DBPostProcess'](**params)
    seen = {}
    for name in ('boxes_from_bitmap', 'polygons_from_bitmap'):
        inner = getattr(post, name)

        def capture(*a, inner=inner):
            seen['r'] = inner(*a)
            return seen['r']
        setattr(post, name, capture)
    # shape_list as DetResizeForTest + predict_det hand it over (float64 row)
    shape_list = np.array([[ori_h, ori_w, prob.shape[0] / ori_h, prob.shape[1] / ori_w]])
    out = post({'maps': prob[None, None].astype(np.float32)}, shape_list)[0]['points']
    boxes, scores = seen['r']
    assert len(out) == len(scores)
    return [dict(polygon=np.asarray(b, dtype=np.float64).ravel().tolist(), score=float(s))
            for b, s in zip(out, scores)]


def run_mmocr0(ns, prob, params, w_scale, h_scale):
    post = ns['DBPostprocessor'](**params)
    head = types.SimpleNamespace(postprocessor=post, downsample_ratio=1.0)
    head.resize_boundary = lambda b, s: ns['resize_boundary'](head, b, s)
    # DBHead's test output: prob, threshold and binary maps, [1, 3, H, W]
    t = torch.from_numpy(np.stack([prob, np.zeros_like(prob), np.zeros_like(prob)])[None])
    sf = np.array([w_scale, h_scale, w_scale, h_scale], dtype=np.float32)  # mmdet Resize
    res = ns['get_boundary'](head, t, [dict(scale_factor=sf, filename='map')], True)
    return [dict(polygon=[float(v) for v in b[:-1]], score=float(b[-1])) for b in res['boundary_result']]


def run_mmocr1(ns, prob, params, w_scale, h_scale):
    post = ns['DBPostprocessor'](**params)
    sample = types.SimpleNamespace(scale_factor=(w_scale, h_scale))
    res = post._process_single(torch.from_numpy(prob), sample)
    polys, scores = res.pred_instances.polygons, res.pred_instances.scores.tolist()
    return [dict(polygon=np.asarray(p, dtype=np.float64).tolist(), score=float(s)) for p, s in zip(polys, scores)]


# ------------------------------------------------------------------- maps

def pp_ocr_net(onnx_path):
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(onnx_path)
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in m.graph.node if n.op_type == 'Constant'}
    for n in m.graph.node:
        if n.op_type == 'Clip' and len(n.input) == 3:  # Clip-11 inputs -> Clip-6 attributes
            lo, hi = float(consts[n.input[1]]), float(consts[n.input[2]])
            del n.input[1:]
            n.attribute.extend([helper.make_attribute('min', lo), helper.make_attribute('max', hi)])
    return cv2.dnn.readNetFromONNX(m.SerializeToString())


def paddle_preprocess(ns, img, resize_kw):
    data = {'image': img}
    for op in (ns['DetResizeForTest'](**resize_kw),
               ns['NormalizeImage'](std=[0.229, 0.224, 0.225], mean=[0.485, 0.456, 0.406], scale='1./255.',
                                    order='hwc'),
               ns['ToCHWImage']()):
        data = op(data)
    return data['image'], data['shape']


def read_photo(rel):
    path = os.path.join(PHOTOS, rel)
    img = cv2.imread(path)  # what PaddleOCR's predict_det does (BGR)
    ours = cv2.imread(path, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    assert np.array_equal(img, ours), f'{path}: EXIF orientation would differ from textq\'s loader'
    return img


def synthetic_maps(rng):
    """Small maps with the edge cases, float32, values in [0, 1)."""
    maps = {}

    def base(h, w):
        return (rng.random((h, w)) * 0.25).astype(np.float32)

    def blob(m, x0, y0, x1, y1, lo=0.45, hi=0.98):
        m[y0:y1, x0:x1] = rng.uniform(lo, hi, (y1 - y0, x1 - x0)).astype(np.float32)

    m = base(72, 112)  # touching: edge-adjacent, 8-connected diagonal, near misses
    blob(m, 5, 5, 30, 20); blob(m, 30, 8, 55, 22)            # share an edge: one region
    blob(m, 60, 5, 75, 15); blob(m, 75, 15, 95, 30)          # corner to corner: one region
    blob(m, 10, 40, 40, 55); blob(m, 41, 40, 70, 56)         # one-pixel gap: two regions
    blob(m, 78, 44, 104, 66, 0.31, 0.5)                      # weak region (score below 0.6)
    maps['touching'] = m

    m = base(48, 80)  # tiny regions 1x1 .. 4x6, thin lines
    for i, (w, h) in enumerate([(1, 1), (2, 2), (3, 3), (4, 4), (2, 9), (9, 2), (4, 6), (6, 4), (1, 12), (14, 1)]):
        x, y = 4 + (i % 5) * 15, 6 + (i // 5) * 22
        blob(m, x, y, x + w, y + h)
    maps['tiny'] = m

    m = base(64, 96)  # regions on every border and in the corners
    blob(m, 0, 0, 14, 10); blob(m, 82, 0, 96, 12); blob(m, 0, 52, 18, 64); blob(m, 80, 50, 96, 64)
    blob(m, 30, 0, 60, 6); blob(m, 30, 58, 62, 64); blob(m, 0, 22, 5, 42); blob(m, 90, 20, 96, 44)
    maps['border'] = m

    m = base(64, 96)  # a ring (outer and inner contour), and a C whose unclip closes
    blob(m, 8, 8, 50, 56); m[22:42, 20:38] = 0.05
    blob(m, 60, 10, 90, 16); blob(m, 60, 16, 66, 48); blob(m, 60, 48, 90, 54)
    blob(m, 84, 16, 90, 28); blob(m, 84, 36, 90, 48)          # C with a 8-pixel mouth
    maps['hole'] = m

    m = base(96, 128)  # 48 blobs: max_candidates cuts the list
    for i in range(48):
        x, y = 3 + (i % 8) * 16, 3 + (i // 8) * 16
        blob(m, x, y, x + 6 + i % 5, y + 5 + i % 4)
    maps['many'] = m

    m = base(48, 64)  # values exactly at float32(0.3) and one ulp above / below
    t = np.float32(0.3)
    m[4:14, 4:30] = t                                        # == thresh: not text
    m[20:30, 4:30] = np.nextafter(t, np.float32(1))          # one ulp above: text
    m[36:46, 4:30] = np.nextafter(t, np.float32(0))
    m[4:44, 36:60] = np.nextafter(t, np.float32(1))          # score ~0.3: box_thresh 0.3 keeps it
    maps['thresh'] = m

    m = base(80, 120)  # curved, rotated and random shapes (polygons with many vertices)
    img = np.zeros((80, 120), np.uint8)
    cv2.ellipse(img, (40, 40), (32, 22), 25, 200, 340, 1, 7)
    cv2.fillPoly(img, [np.array([[70, 10], [115, 24], [108, 40], [64, 26]], np.int32)], 1)
    cv2.circle(img, (95, 62), 12, 1, -1)
    ys, xs = np.nonzero(img)
    m[ys, xs] = rng.uniform(0.35, 1.0, len(ys)).astype(np.float32)
    maps['shapes'] = m
    return maps


# ------------------------------------------------------------------- cases

PADDLE = dict(thresh=0.3, box_thresh=0.6, max_candidates=1000, unclip_ratio=1.5, use_dilation=False,
              score_mode='fast', box_type='quad')  # PP-OCR inference defaults (tools/infer/utility.py)
MMOCR = dict(text_repr_type='quad', mask_thr=0.3, min_text_score=0.3, min_text_width=5, unclip_ratio=1.5,
             epsilon_ratio=0.01, max_candidates=3000)  # DBNet configs (DBHead: quad; class defaults)


def variants():
    v = []
    for name, over in [('quad', {}), ('quad_slow', dict(score_mode='slow')), ('poly', dict(box_type='poly')),
                       ('quad_dilate', dict(use_dilation=True)), ('poly_dilate', dict(box_type='poly', use_dilation=True)),
                       ('quad_lowthr', dict(box_thresh=0.3, unclip_ratio=2.0)),
                       ('poly_lowthr', dict(box_type='poly', box_thresh=0.3, unclip_ratio=2.0))]:
        v.append(('paddle', name, dict(PADDLE, **over)))
    for fl in ('mmocr0', 'mmocr1'):
        for name, over in [('quad', {}), ('poly', dict(text_repr_type='poly')),
                           ('quad_w0', dict(min_text_width=0, unclip_ratio=2.0)),
                           ('poly_eps', dict(text_repr_type='poly', epsilon_ratio=0.002, min_text_score=0.5))]:
            v.append((fl, name, dict(MMOCR, **over)))
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--paddle-root', required=True)
    ap.add_argument('--mmocr0-root', required=True)
    ap.add_argument('--mmocr1-root', required=True)
    ap.add_argument('--mmcv-root', required=True, help='mmcv v1.7.0 checkout (mmcv/image, mmcv/utils/misc.py)')
    ap.add_argument('--mmdet-root', required=True, help='mmdetection 2.x checkout (mmdet/datasets/pipelines/transforms.py)')
    ap.add_argument('--onnx', required=True, help='PaddleOCR ch_PP-OCRv4_det_infer.onnx')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    paddle, mm0, mm1 = load_paddle(a.paddle_root), load_mmocr0(a.mmocr0_root), load_mmocr1(a.mmocr1_root)
    rng = np.random.default_rng(12)

    # 1. PaddleOCR detection pre-processing of photos (tensor hash + samples).
    pre_cases = []
    for rel in ['icdar2015/img_1.jpg', 'totaltext/img3.jpg', 'mmocr-demo/demo_text_det.jpg']:
        img = read_photo(rel)
        for kw in [dict(limit_side_len=960, limit_type='max'), dict(limit_side_len=736, limit_type='min'),
                   dict(limit_side_len=480, limit_type='max'), dict(limit_side_len=1000, limit_type='resize_long')]:
            x, shape = paddle_preprocess(paddle, img, kw)
            x = np.ascontiguousarray(x, dtype=np.float32)
            idx = rng.integers(0, x.size, 64)
            pre_cases.append(dict(image=os.path.join(PHOTOS, rel), resize=kw, chw=list(x.shape),
                                  shape=[float(v) for v in shape], sha256=hashlib.sha256(x.tobytes()).hexdigest(),
                                  samples=[[int(i), float(x.flat[i])] for i in idx]))
    # A tiny image (h + w < 64: DetResizeForTest pads it to 32 x 32 first).
    tiny = rng.integers(0, 256, (20, 30, 3)).astype(np.uint8)
    cv2.imwrite(os.path.join(a.out, 'tiny_30x20.png'), tiny)
    x, shape = paddle_preprocess(paddle, tiny, dict(limit_side_len=960, limit_type='max'))
    x = np.ascontiguousarray(x, dtype=np.float32)
    pre_cases.append(dict(image=os.path.join(a.out, 'tiny_30x20.png'), resize=dict(limit_side_len=960, limit_type='max'),
                          chw=list(x.shape), shape=[float(v) for v in shape],
                          sha256=hashlib.sha256(x.tobytes()).hexdigest(),
                          samples=[[int(i), float(x.flat[i])] for i in rng.integers(0, x.size, 64)]))

    # 1b. MMOCR 0.x DBNet test pipelines (1333x736 + ImageNet mean; 4068x1024 + the r50dcnv2 mean).
    det = load_mmocr0_preprocess(a.mmcv_root, a.mmdet_root)
    mm_cases, mm_rng = [], np.random.default_rng(34)  # own stream: the maps below stay as they were
    for rel in ['icdar2015/img_1.jpg', 'totaltext/img3.jpg', 'mmocr-demo/demo_text_det.jpg']:
        img = read_photo(rel)
        for scale, mean in [((1333, 736), [123.675, 116.28, 103.53]),
                            ((4068, 1024), [122.67891434, 116.66876762, 104.00698793])]:
            std = [58.395, 57.12, 57.375]
            x, res = mmocr0_preprocess(det, img, scale, mean, std)
            mm_cases.append(dict(image=os.path.join(PHOTOS, rel), scale=list(scale), mean=mean, std=std,
                                 chw=list(x.shape), img_shape=list(res['img_shape'][:2]),
                                 scale_factor=[float(v) for v in res['scale_factor']],
                                 sha256=hashlib.sha256(x.tobytes()).hexdigest(),
                                 samples=[[int(i), float(x.flat[i])] for i in mm_rng.integers(0, x.size, 64)]))

    # 2. Maps: PP-OCRv4 on two photos (limit max 480 keeps the files small) + synthetic.
    maps = {}  # name -> (map, ori_h, ori_w)
    for name, rel in [('ppocr_demo_text_det', 'mmocr-demo/demo_text_det.jpg'), ('ppocr_img623', 'totaltext/img623.jpg')]:
        img = read_photo(rel)
        x, shape = paddle_preprocess(paddle, img, dict(limit_side_len=480, limit_type='max'))
        net = pp_ocr_net(a.onnx)  # a fresh net per input: OpenCV 4.6 DNN gives zeros when reused at a new size
        net.setInput(x[None].astype(np.float32))
        prob = net.forward()[0, 0].astype(np.float32)
        maps[name] = (prob, img.shape[0], img.shape[1])
    for name, m in synthetic_maps(rng).items():
        h, w = m.shape
        maps[name] = (m, int(h * 1.7) + 3, int(w * 2.3) + 1)  # some non-integer scale back

    # 3. Decode every map with every variant.
    cases = []
    for mname, (prob, ori_h, ori_w) in maps.items():
        np.save(os.path.join(a.out, mname + '.npy'), prob)
        h, w = prob.shape
        for flavour, vname, params in variants():
            if mname == 'many':
                params = dict(params, max_candidates=5)
            case = dict(name=f'{mname}/{flavour}_{vname}', map=os.path.join(a.out, mname + '.npy'), flavour=flavour,
                        params=params, ori_h=ori_h, ori_w=ori_w, map_h=h, map_w=w)
            try:
                if flavour == 'paddle':
                    inst = run_paddle(paddle, prob, params, ori_h, ori_w)
                elif flavour == 'mmocr0':
                    inst = run_mmocr0(mm0, prob, params, w / ori_w, h / ori_h)
                else:
                    inst = run_mmocr1(mm1, prob, params, w / ori_w, h / ori_h)
                case['instances'] = inst
            except Exception as e:  # recorded: the test skips what the reference cannot decode
                case['reference_raised'] = f'{type(e).__name__}: {e}'
            cases.append(case)
        print(f'{mname}: {h}x{w}, ' + ', '.join(
            f"{c['name'].split('/')[1]} {len(c['instances']) if 'instances' in c else 'raised'}"
            for c in cases if c['name'].startswith(mname + '/')))
    with open(os.path.join(a.out, 'db_goldens.json'), 'w') as f:
        json.dump(dict(preprocess=pre_cases, mmocr0_preprocess=mm_cases, decode=cases), f, separators=(',', ':'))


if __name__ == '__main__':
    main()
