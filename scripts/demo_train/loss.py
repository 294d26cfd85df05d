"""TextSnake loss after MMOCR 0.x `TextSnakeLoss`: OHEM-balanced BCE (3:1)
on the text map, BCE on the centre map inside text, smooth-L1 on the
normalised sin/cos and on radius/gt_radius inside the centre region.
The sixth target channel is MMOCR's gt_mask: pixels of ignored ('###')
regions count neither as text nor as background in any term. Synthetic data
has an all-ones mask, and multiplying by 1.0 is exact, so its losses are
bit-identical to those of the mask-free version."""
import torch
import torch.nn.functional as F

OHEM_RATIO = 3.0


def balanced_bce(prob, gt, mask):
    loss = F.binary_cross_entropy(prob, gt, reduction='none')
    pos = gt * mask
    neg = (1 - gt) * mask
    n_pos = int(pos.sum())
    neg_loss = (loss * neg).view(-1)
    n_neg = min(int(neg.sum()), int(n_pos * OHEM_RATIO)) if n_pos > 0 else 100
    neg_top, _ = torch.topk(neg_loss, n_neg)
    return ((loss * pos).sum() + neg_top.sum()) / (n_pos + n_neg + 1e-5)


def textsnake_loss(pred, gt):
    """pred (N,5,H,W) raw head output; gt (N,6,H,W): text, centre, radius,
    sin, cos, loss mask."""
    text, center, radius, sin_t, cos_t, mask = [gt[:, i] for i in range(6)]
    text = text * mask
    center = center * mask
    scale = torch.sqrt(1.0 / (pred[:, 2] ** 2 + pred[:, 3] ** 2 + 1e-8))
    sin_p, cos_p = pred[:, 2] * scale, pred[:, 3] * scale
    l_text = balanced_bce(torch.sigmoid(pred[:, 0]), text, mask)
    bce_c = F.binary_cross_entropy(torch.sigmoid(pred[:, 1]), center,
                                   reduction='none')
    zero = pred.sum() * 0
    l_center = (bce_c * text).sum() / text.sum() if text.sum() > 0 else zero
    if center.sum() > 0:
        n = center.sum()
        l_rad = (F.smooth_l1_loss(pred[:, 4] / (radius + 1e-2),
                                  torch.ones_like(radius), reduction='none')
                 * center).sum() / n
        l_sin = (F.smooth_l1_loss(sin_p, sin_t, reduction='none') * center).sum() / n
        l_cos = (F.smooth_l1_loss(cos_p, cos_t, reduction='none') * center).sum() / n
    else:
        l_rad = l_sin = l_cos = zero
    return dict(text=l_text, center=l_center, radius=l_rad, sin=l_sin, cos=l_cos)
