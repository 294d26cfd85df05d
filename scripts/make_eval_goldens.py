#!/usr/bin/env python3
"""Golden hmean-iou results made by MMOCR's own metric code.

Runs the reference harness (shared/ref/hmean_ref.py: MMOCR 0.x ``eval_hmean``
and 1.x ``HmeanIOUMetric``, imported from MMOCR source checkouts) on

  * the ctw1500-mini dataset (0.x and 1.x json, demo predictions),
  * a few hundred seeded, randomly perturbed prediction sets against the
    CTW1500 test labels (MMOCR 1.x json), Total-Text txt labels and the
    ICDAR2015 toy labels: jitter, scaling, shifts, boxes, reversed order,
    bow-ties, pinched (self-touching) and zero-area polygons, explicit
    closing points, triangles, duplicates, predictions on ignored regions,
    false positives, images without predictions or without GT, sets without
    any prediction, and edge scores (0.3, 0.9, float32 neighbours),
  * every CTW1500 test image with one prediction per GT (timing case),

and writes the inputs (the exact predictions MMOCR scored) and MMOCR's
per-threshold hits / counts / recall / precision / hmean to
tests/data/eval/hmean_cases.json.  Also copies the label files the cases use.

Command (from the project root; ~2 minutes on 2 cores):
  MMOCR_SRC=/work/mmocr_src/v0.6.1 MMOCR1_SRC=/work/mmocr_src/v1.0.1 \
  REF_DIR=/work/shared/ref DATA_DIR=/work/shared/data \
  /usr/bin/python3 scripts/make_eval_goldens.py
(or: sh scripts/make_eval_goldens.sh)
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import types

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF_DIR = os.environ.get('REF_DIR', '/work/shared/ref')
DATA_DIR = os.environ.get('DATA_DIR', '/work/shared/data')
GOLDEN_DIR = os.environ.get('GOLDEN_DIR', '/work/shared/golden')
OUT_DIR = os.path.join(ROOT, 'tests', 'data', 'eval')
SEED = 20240611
METAINFO = {'dataset_type': 'TextDetDataset', 'task_name': 'textdet',
            'category': [{'id': 0, 'name': 'text'}]}


# ---------------------------------------------------------------- sources
def load_sources():
    """name -> list of data_list entries (MMOCR 1.x layout)."""
    src = {}
    with open(os.path.join(OUT_DIR, 'ctw1500_textdet_test.json')) as f:
        src['ctw1500'] = json.load(f)['data_list']
    with open(os.path.join(OUT_DIR, 'icdar2015_textdet_test.json')) as f:
        src['icdar2015'] = json.load(f)['data_list']
    # Total-Text (TIoU-metric txt): x1,y1,...,xn,yn,transcription; '###' is
    # ignored.  Our glue (no MMOCR parser reads this variant).
    tt = []
    for name in ('img3', 'img564', 'img623'):
        insts = []
        with open(os.path.join(OUT_DIR, 'totaltext', f'poly_gt_{name}.txt'),
                  encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                fields = line.split(',')
                nums = []
                for fld in fields:
                    try:
                        nums.append(int(fld))
                    except ValueError:
                        break
                if len(nums) % 2:
                    nums.pop()
                text = ','.join(fields[len(nums):])
                insts.append({'polygon': nums, 'ignore': text == '###'})
        tt.append({'instances': insts, 'img_path': f'imgs/{name}.jpg'})
    src['totaltext'] = tt
    return src


def copy_inputs():
    os.makedirs(os.path.join(OUT_DIR, 'totaltext'), exist_ok=True)
    shutil.copy(os.path.join(DATA_DIR, 'ctw1500/annotations/textdet_test.json'),
                os.path.join(OUT_DIR, 'ctw1500_textdet_test.json'))
    shutil.copy(os.path.join(DATA_DIR, 'icdar2015-toy/textdet_test.json'),
                os.path.join(OUT_DIR, 'icdar2015_textdet_test.json'))
    for n in ('img3', 'img564', 'img623'):
        shutil.copy(os.path.join(DATA_DIR, f'totaltext/gt/poly_gt_{n}.txt'),
                    os.path.join(OUT_DIR, 'totaltext'))


# ---------------------------------------------------------------- perturbation
EDGE_SCORES = [0.3, 0.9, 0.5, 0.4, 0.6000000000000001, 0.6, 0.7, 0.8,
               0.30000001192092896, 0.8999999761581421, 0.29999998,
               0.3000000000000001, 0.29999999999999993, 0.9000000000000001,
               0.25, 1.0, 0.0]


def score(rng):
    if rng.random() < 0.25:
        return rng.choice(EDGE_SCORES)
    return round(rng.random(), rng.choice([2, 3, 4, 6]))


def quantize(poly, mode):
    if mode == 'int':
        return [int(round(v)) for v in poly]
    if mode == 'half':
        return [round(v * 2) / 2 for v in poly]
    if mode == 'dec1':
        return [round(v, 1) for v in poly]
    return [float(v) for v in poly]  # full double


def perturb(rng, gt, allow_tri):
    """Predictions derived from one GT polygon (flat list)."""
    p = np.array(gt, dtype=np.float64).reshape(-1, 2)
    c = p.mean(axis=0)
    w = max(p[:, 0].ptp(), 1.0)
    h = max(p[:, 1].ptp(), 1.0)
    kinds = ['jitter'] * 8 + ['scale'] * 4 + ['shift'] * 3 + ['box'] * 2 + \
        ['subset', 'reverse', 'bowtie', 'pinch', 'line', 'closed', 'dup',
         'miss', 'miss', 'spike']
    if allow_tri:
        kinds.append('tri')
    k = rng.choice(kinds)
    sig = rng.choice([0.5, 1.5, 3.0])
    nrs = np.random.RandomState(rng.randrange(1 << 30))
    if k == 'miss':
        return [], k
    if k == 'jitter':
        return [p + nrs.normal(0, sig, p.shape)], k
    if k == 'scale':
        s = rng.uniform(0.55, 1.5)
        return [(p - c) * s + c], k
    if k == 'shift':
        return [p + [rng.uniform(-0.6, 0.6) * w, rng.uniform(-0.6, 0.6) * h]], k
    if k == 'box':
        x0, y0 = p.min(axis=0)
        x1, y1 = p.max(axis=0)
        return [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])], k
    if k == 'subset':
        n = len(p)
        idx = sorted(rng.sample(range(n), max(4, n // 2)))
        return [p[idx]], k
    if k == 'reverse':
        return [p[::-1] + nrs.normal(0, sig, p.shape)], k
    if k == 'bowtie':
        q = p.copy()
        i = rng.randrange(len(q) - 1)
        q[[i, i + 1]] = q[[i + 1, i]]
        if len(q) >= 8 and rng.random() < 0.5:  # a second crossing
            j = (i + len(q) // 2) % (len(q) - 1)
            q[[j, j + 1]] = q[[j + 1, j]]
        return [q], k
    if k == 'pinch':
        q = p.copy()
        n = len(q)
        if n >= 6:
            q[n // 4] = q[(3 * n) // 4]  # two vertices coincide
        else:
            q[1] = q[3]
        return [q], k
    if k == 'line':
        q = p.copy()
        q[:, 1] = q[0, 1]
        return [q], k
    if k == 'closed':
        q = p + nrs.normal(0, sig, p.shape)
        return [np.vstack([q, q[:1]])], k
    if k == 'dup':
        return [p + nrs.normal(0, sig, p.shape),
                p + nrs.normal(0, sig, p.shape)], k
    if k == 'spike':
        q = p.copy()
        i = rng.randrange(len(q))
        q[i] = q[i] + [rng.uniform(-2, 2) * w, rng.uniform(-2, 2) * h]
        return [q], k
    if k == 'tri':
        x0, y0 = p.min(axis=0)
        x1, y1 = p.max(axis=0)
        return [np.array([[x0, y1], [x1, y1], [(x0 + x1) / 2, y0]])], k
    raise AssertionError(k)


def false_positive(rng, entry):
    W = entry.get('width') or 800
    H = entry.get('height') or 600
    x0, y0 = rng.uniform(0, W * 0.8), rng.uniform(0, H * 0.8)
    x1, y1 = x0 + rng.uniform(5, W * 0.3), y0 + rng.uniform(5, H * 0.2)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def make_case(rng, name, source, src_list, n_img, n_empty, allow_tri):
    images = rng.sample(range(len(src_list)), min(n_img, len(src_list)))
    images += [-1] * n_empty
    rng.shuffle(images)
    mode = rng.choice(['int'] * 4 + ['half', 'dec1', 'dec1', 'double'])
    no_preds = rng.random() < 0.03
    preds = []
    for pos, idx in enumerate(images):
        if no_preds or rng.random() < 0.08:
            continue  # image without predictions
        polys, scores = [], []
        entry = src_list[idx] if idx >= 0 else {}
        for inst in entry.get('instances', []):
            for q in perturb(rng, inst['polygon'], allow_tri)[0]:
                polys.append(quantize(q.reshape(-1).tolist(), mode))
                scores.append(score(rng))
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            polys.append(quantize(false_positive(rng, entry).reshape(-1)
                                  .tolist(), mode))
            scores.append(score(rng))
        order = list(range(len(polys)))
        rng.shuffle(order)
        preds.append([pos, [polys[i] for i in order],
                      [scores[i] for i in order]])
    return dict(name=name, source=source, images=images, preds=preds)


def make_cases():
    rng = random.Random(SEED)
    src = load_sources()
    cases = [dict(name='ctw1500-mini-0x-json', source='ctw1500-mini-0x',
                  images=[0, 1], preds=mini_preds()),
             dict(name='ctw1500-mini-1x-json', source='ctw1500-mini-1x',
                  images=[0, 1], preds=mini_preds()),
             dict(name='ctw1500-all-no-predictions', source='ctw1500',
                  images=list(range(500)), preds=[])]
    full = []
    r2 = random.Random(SEED + 1)
    for pos, entry in enumerate(src['ctw1500']):
        polys, scores = [], []
        for inst in entry['instances']:
            p = np.array(inst['polygon'], float).reshape(-1, 2)
            p = p + np.random.RandomState(r2.randrange(1 << 30)).normal(
                0, 2.0, p.shape)
            polys.append([int(round(v)) for v in p.reshape(-1)])
            scores.append(round(r2.uniform(0.2, 1.0), 3))
        full.append([pos, polys, scores])
    cases.append(dict(name='ctw1500-all-jitter', source='ctw1500',
                      images=list(range(500)), preds=full))
    for i in range(200):
        allow_tri = rng.random() < 0.1
        cases.append(make_case(rng, f'ctw1500-random-{i:03d}', 'ctw1500',
                               src['ctw1500'], rng.randint(1, 8),
                               rng.choice([0, 0, 0, 1, 2]), allow_tri))
    for i in range(40):
        cases.append(make_case(rng, f'totaltext-random-{i:03d}', 'totaltext',
                               src['totaltext'], 3, rng.choice([0, 1]),
                               rng.random() < 0.1))
    for i in range(40):
        cases.append(make_case(rng, f'icdar2015-random-{i:03d}', 'icdar2015',
                               src['icdar2015'], rng.randint(3, 10),
                               rng.choice([0, 1]), rng.random() < 0.1))
    return cases


def mini_preds():
    with open(os.path.join(GOLDEN_DIR, 'ctw1500-mini/preds_demo.json')) as f:
        demo = json.load(f)['1002.jpg']
    with open(os.path.join(GOLDEN_DIR, 'textsnake/pp_synth.json')) as f:
        synth = json.load(f)['mmocr0']
    return [[0, synth['polygons'], synth['scores']],
            [1, demo['polygons'], demo['scores']]]


# ---------------------------------------------------------------- MMOCR runs
def case_gt_json(case, src, tmp):
    """Write the case's ground truth file for hmean_ref.load_gt."""
    if case['source'].startswith('ctw1500-mini'):
        name = ('instances_test.json' if case['source'].endswith('0x')
                else 'textdet_test.json')
        return os.path.join(GOLDEN_DIR, 'ctw1500-mini', name)
    data = []
    for k, idx in enumerate(case['images']):
        if idx < 0:
            data.append({'instances': [], 'img_path': f'empty/empty_{k}.jpg'})
        else:
            data.append(src[case['source']][idx])
    path = os.path.join(tmp, 'gt.json')
    with open(path, 'w') as f:
        json.dump({'metainfo': METAINFO, 'data_list': data}, f)
    return path


def image_names(case, gt_path):
    sys.path.insert(0, REF_DIR)
    import hmean_ref
    gt, _ = hmean_ref.load_gt(gt_path)
    return [g['name'] for g in gt]


def worker(version, cases_path, out_path):
    sys.path.insert(0, REF_DIR)
    import hmean_ref
    import mmocr_loader
    ns = mmocr_loader.load(version)
    mmocr_loader.load = lambda v, src=None: ns  # load once per process
    log = []
    if version == 0:
        mod = sys.modules['mmocr.core.evaluation.hmean_iou']
        orig = mod.eval_hmean_iou

        def spy(*a, **k):
            res, img = orig(*a, **k)
            log.append([res['num_match'], res['num_gts'], res['num_dets'],
                        res['recall'], res['precision'], res['hmean']])
            return res, img
        mod.eval_hmean_iou = spy
    else:
        mod = sys.modules['mmocr.evaluation.metrics.hmean_iou_metric']
        orig = mod.compute_hmean

        def spy(hr, hp, g, p):
            r = orig(hr, hp, g, p)
            log.append([hr, g, p, r[0], r[1], r[2]])
            return r
        mod.compute_hmean = spy
    with open(cases_path) as f:
        cases = json.load(f)
    src = load_sources()
    out = []
    devnull = open(os.devnull, 'w')
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            gt_path = case_gt_json(case, src, tmp)
            names = image_names(case, gt_path)
            pred = {}
            for pos, polys, scores in case['preds']:
                pred[names[pos]] = {'polygons': polys, 'scores': scores}
            pred_path = os.path.join(tmp, 'pred.json')
            with open(pred_path, 'w') as f:
                json.dump(pred, f)
            args = types.SimpleNamespace(gt=gt_path, pred=pred_path, pp=None)
            del log[:]
            stdout = sys.stdout
            sys.stdout = devnull
            try:
                res = (hmean_ref.run0 if version == 0 else hmean_ref.run1)(args)
                err = None
            except AssertionError as e:  # MMOCR rejects the input
                res, err = None, 'AssertionError ' + str(e)
            finally:
                sys.stdout = stdout
            if err:
                out.append({'error': err})
                continue
            if version == 0:
                best = [res['hmean-iou:recall'], res['hmean-iou:precision'],
                        res['hmean-iou:hmean']]
            else:
                best = [res['recall'], res['precision'], res['hmean']]
            assert len(log) == 7, len(log)
            out.append({'t': list(log), 'best': best})
    with open(out_path, 'w') as f:
        json.dump(out, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--_worker', type=int, help=argparse.SUPPRESS)
    ap.add_argument('--_cases', help=argparse.SUPPRESS)
    ap.add_argument('--_out', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._worker is not None:
        worker(a._worker, a._cases, a._out)
        return
    copy_inputs()
    cases = make_cases()
    with tempfile.TemporaryDirectory() as tmp:
        cpath = os.path.join(tmp, 'cases.json')
        with open(cpath, 'w') as f:
            json.dump(cases, f)
        results = {}
        for v in (0, 1):
            opath = os.path.join(tmp, f'res{v}.json')
            subprocess.run([sys.executable, os.path.abspath(__file__),
                            '--_worker', str(v), '--_cases', cpath,
                            '--_out', opath], check=True)
            with open(opath) as f:
                results[v] = json.load(f)
    for case, r0, r1 in zip(cases, results[0], results[1]):
        case['mmocr0'] = r0
        case['mmocr1'] = r1
    thr0 = np.arange(0.3, min(0.9 + 0.1, 1.0), 0.1).tolist()
    thr1 = np.arange(start=0.3, stop=0.9, step=0.1).tolist()
    assert thr0 == thr1
    doc = {'generator': 'scripts/make_eval_goldens.py', 'seed': SEED,
           'thresholds': thr0,
           'row': 'per threshold: [hits, gt_count, pred_count, recall, '
                  'precision, hmean]',
           'sources': {'ctw1500': 'ctw1500_textdet_test.json',
                       'icdar2015': 'icdar2015_textdet_test.json',
                       'totaltext': 'totaltext/poly_gt_{img3,img564,img623}.txt',
                       'ctw1500-mini-0x': '../datasets/ctw1500-mini/instances_test.json',
                       'ctw1500-mini-1x': '../datasets/ctw1500-mini/textdet_test.json'},
           'cases': cases}
    out = os.path.join(OUT_DIR, 'hmean_cases.json')
    with open(out, 'w') as f:
        # one case per line keeps diffs readable and the file compact
        f.write('{\n')
        for k in ('generator', 'seed', 'thresholds', 'row', 'sources'):
            f.write(f'"{k}": {json.dumps(doc[k])},\n')
        f.write('"cases": [\n')
        f.write(',\n'.join(json.dumps(c, separators=(',', ':'))
                           for c in cases))
        f.write('\n]}\n')
    # The mini-dataset predictions in textq's predictions format, for the CLI
    # test (tests/cli/eval_preds.sh).
    mini = {'format': 'textq-predictions', 'version': 1,
            'model': 'shared/golden: pp_synth (1001) + preds_demo (1002)',
            'predictions': [
                {'img_path': name, 'width': w, 'height': h,
                 'polygons': polys, 'scores': scores}
                for (pos, polys, scores), (name, w, h) in zip(
                    mini_preds(), [('1001.jpg', 240, 160),
                                   ('1002.jpg', 300, 200)])]}
    with open(os.path.join(OUT_DIR, 'ctw1500_mini_preds.json'), 'w') as f:
        json.dump(mini, f)
    n0 = sum('error' in c['mmocr0'] for c in cases)
    n1 = sum('error' in c['mmocr1'] for c in cases)
    npoly = sum(len(p) for c in cases for _, p, _ in c['preds'])
    print(f'wrote {out}: {len(cases)} cases, {npoly} predicted polygons, '
          f'{os.path.getsize(out)} bytes; MMOCR errors: 0.x {n0}, 1.x {n1}')


if __name__ == '__main__':
    main()
