#include "textdet/textsnake_decoder.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>

#include <opencv2/imgproc.hpp>

#include "textdet/center_mask.h"
#include "textdet/centralize.h"
#include "textdet/merge_disks.h"
#include "textdet/preprocess.h"
#include "textdet/sigmoid.h"
#include "textdet/skeletonize.h"
#include "textdet/small_components.h"
#include "textdet/union_score.h"
#include "textq/error.h"


namespace textq {
namespace {

constexpr int kMaxSide = 1 << 15;  // far beyond any padded input (1333-limited)

// The five head channels, sampled pointwise with the full-frame formulas.
struct Maps {
  const float* text_logit;
  const float* center_logit;
  const float* sin_raw;
  const float* cos_raw;
  const float* radius;
  int h, w;
  size_t at(int y, int x) const { return static_cast<size_t>(y) * w + x; }
  float text(size_t i) const { return sigmoid1_f32(text_logit[i]); }
  float center(size_t i) const { return sigmoid1_f32(center_logit[i]) * text(i); }
  // sin/cos normalised by sqrt(1/(sin^2+cos^2+f32(1e-8))) in float32
  void sin_cos(size_t i, float* sin_n, float* cos_n) const {
    const float sn = sin_raw[i], cs = cos_raw[i];
    const float sum = sn * sn + cs * cs;
    const float scale = std::sqrt(1.0f / (sum + 1e-8f));
    *sin_n = sn * scale;
    *cos_n = cs * scale;
  }
};

// Decodes one centre contour; returns false if it yields no instance. Every
// canvas is the part of the frame that can hold non-zero pixels, with the
// frame's coordinates kept through offsets (docs/textsnake_decoder.md,
// "Speed"): the results are those of full-frame canvases.
bool decode_component(const std::vector<cv::Point>& contour, const Maps& m,
                      const DecoderParams& p, TextInstance& out, DecodeStats& stats) {
  const int h = m.h, w = m.w;
  // Instance mask I: the filled contour lies inside its vertices' bounding
  // box; one zero pixel around it (inside the frame) as in the frame canvas.
  cv::Rect box = cv::boundingRect(contour);
  box.x = std::max(0, box.x - 1);
  box.y = std::max(0, box.y - 1);
  box.width = std::min(w - box.x, box.width + 2);
  box.height = std::min(h - box.y, box.height + 2);
  cv::Mat inst = cv::Mat::zeros(box.height, box.width, CV_8U);
  cv::drawContours(inst, std::vector<std::vector<cv::Point>>{contour}, -1, cv::Scalar(1),
                   cv::FILLED, cv::LINE_8, cv::noArray(), INT_MAX, -box.tl());

  // Thinning reads 3x3 neighbourhoods and the background is zero.
  std::vector<uint8_t> crop(inst.datastart, inst.dataend);
  const std::vector<uint8_t> skel = skeletonize(crop, box.height, box.width);

  // Skeleton points in row-major order (np.argwhere).
  std::vector<CentralizeInput> pts;
  for (int y = 0; y < box.height; ++y) {
    for (int x = 0; x < box.width; ++x) {
      if (!skel[y * static_cast<size_t>(box.width) + x]) continue;
      const size_t i = m.at(box.y + y, box.x + x);
      CentralizeInput in{{box.y + y, box.x + x}, 0.0f, 0.0f, m.radius[i]};
      m.sin_cos(i, &in.sin_n, &in.cos_n);
      pts.push_back(in);
    }
  }
  if (pts.empty()) {  // MMOCR raises on this (np.vstack of nothing)
    ++stats.skipped_empty_skeletons;
    return false;
  }
  const MaskWindow win{inst.ptr<uint8_t>(), box.x, box.y, box.width, box.height, inst.step[0]};
  const std::vector<PointYX> centres =
      centralize(pts, win, h, w, p.max_centralize_steps, &stats.centralize_guard_hits);

  const float shrink = static_cast<float>(p.radius_shrink_ratio);  // numpy: float32 product
  std::vector<Disk> disks;
  disks.reserve(centres.size());
  for (const PointYX& c : centres) {
    const size_t i = m.at(c.y, c.x);
    const float r = m.radius[i] * shrink;
    disks.push_back({static_cast<double>(c.x), static_cast<double>(c.y), r, m.center(i)});
  }
  const std::vector<Disk> merged = merge_disks(disks, p.disk_overlap_thr);

  // Union mask Z on the frame part the circles can touch (cv::circle draws
  // only inside [c - r, c + r] and clips to the image), plus a zero pixel
  // around it for findContours.
  struct Circle {
    cv::Point c;
    int r;
  };
  std::vector<Circle> circles;
  int64_t zx0 = w, zy0 = h, zx1 = -1, zy1 = -1;
  for (const Disk& d : merged) {
    if (!(d.radius > 1)) continue;
    const Circle c{cv::Point(static_cast<int>(d.x), static_cast<int>(d.y)),
                   static_cast<int>(d.radius)};
    circles.push_back(c);
    if (c.r < 0) continue;  // cv::circle below rejects it as on the full frame
    zx0 = std::min<int64_t>(zx0, int64_t{c.c.x} - c.r - 1);
    zy0 = std::min<int64_t>(zy0, int64_t{c.c.y} - c.r - 1);
    zx1 = std::max<int64_t>(zx1, int64_t{c.c.x} + c.r + 1);
    zy1 = std::max<int64_t>(zy1, int64_t{c.c.y} + c.r + 1);
  }
  zx0 = std::max<int64_t>(zx0, 0), zy0 = std::max<int64_t>(zy0, 0);
  zx1 = std::min<int64_t>(zx1, w - 1), zy1 = std::min<int64_t>(zy1, h - 1);
  cv::Rect zbox(0, 0, 1, 1);
  if (zx1 >= zx0 && zy1 >= zy0) {
    zbox = cv::Rect(static_cast<int>(zx0), static_cast<int>(zy0), static_cast<int>(zx1 - zx0 + 1),
                    static_cast<int>(zy1 - zy0 + 1));
  }
  cv::Mat zmask = cv::Mat::zeros(zbox.height, zbox.width, CV_8U);
  for (const Circle& c : circles)
    cv::circle(zmask, c.c - zbox.tl(), c.r, cv::Scalar(1), cv::FILLED);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(zmask.clone(), contours, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE, zbox.tl());

  const double score = union_text_score(zmask, zbox.tl(), m.text_logit, h, w);

  if (contours.empty()) return false;
  const std::vector<cv::Point>& c0 = contours[0];
  if (!(cv::contourArea(c0) > 0) || c0.size() <= 4) return false;
  out.polygon.clear();
  out.polygon.reserve(c0.size() * 2);
  for (const cv::Point& q : c0) {
    out.polygon.push_back(q.x);
    out.polygon.push_back(q.y);
  }
  out.score = score;
  return true;
}

}  // namespace

std::vector<TextInstance> decode_textsnake(const float* maps, int Hp, int Wp,
                                           const DecoderParams& p, DecodeStats* stats) {
  if (!maps || Hp <= 0 || Wp <= 0 || Hp > kMaxSide || Wp > kMaxSide) {
    throw Error(ErrorKind::InvalidArgument,
                "decode_textsnake: map size " + std::to_string(Hp) + "x" + std::to_string(Wp) +
                    " must be within 1.." + std::to_string(kMaxSide) + " (and maps non-null)");
  }
  DecodeStats local;
  DecodeStats& st = stats ? *stats : local;
  const size_t n = static_cast<size_t>(Hp) * Wp;
  const Maps m{maps, maps + n, maps + 2 * n, maps + 3 * n, maps + 4 * n, Hp, Wp};

  // centre mask: S > float32(threshold) (numpy compares float32 to float32)
  CenterMask center = center_region_mask(m.text_logit, m.center_logit, Hp, Wp, p.min_center_region_confidence);
  std::vector<TextInstance> out;
  if (center.box.empty()) return out;
  // MMOCR fills the mask's holes (fill_hole) and takes every contour of the
  // result: the outer borders of the top-level components (a hole and all it
  // holds become part of its component), in discovery order. RETR_EXTERNAL on
  // the unfilled mask traces exactly those, from the same start pixels, in the
  // same order: filling a hole changes no outer border (the tracer turns from
  // outside background to the next 1 pixel through pixels 4-adjacent in turn,
  // never through a hole), and contours inside holes are not external. So
  // neither the fill nor hole contours are needed (docs/textsnake_decoder.md,
  // "Speed"). The bounding box holds every 1 pixel; outside it is background
  // connected to the frame, as findContours' zero border is.
  cv::Mat mask = center.mask(center.box);
  // Components whose pixel box cannot hold a contour of the minimum area
  // (lone pixels and other specks) would be traced only to fail the area test
  // below: clearing them first leaves the other contours and their order as
  // they were, and saves tracing them (noisy maps hold ~100k).
  clear_small_components(mask, p.min_center_area);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE, center.box.tl());

  for (const auto& contour : contours) {
    if (cv::contourArea(contour) < p.min_center_area) continue;
    TextInstance inst;
    if (decode_component(contour, m, p, inst, st)) out.push_back(std::move(inst));
  }
  return out;
}

void rescale_instances(std::vector<TextInstance>& inst, const PreprocessResult& pre,
                       MmocrVersion v) {
  if (v == MmocrVersion::v0) {
    // HeadMixin.resize_boundary: 1.0 / float32 scale_factor stays float32
    const float inv_w = 1.0f / static_cast<float>(pre.w_scale);
    const float inv_h = 1.0f / static_cast<float>(pre.h_scale);
    for (TextInstance& t : inst) {
      for (size_t i = 0; i < t.polygon.size(); ++i)
        t.polygon[i] = t.polygon[i] * static_cast<double>(i % 2 ? inv_h : inv_w);
    }
  } else {
    // rescale_polygons(mode='div'): float32 polygon * (1 / scale) in double;
    // scores go through torch.FloatTensor.
    const double inv_w = 1.0 / pre.w_scale, inv_h = 1.0 / pre.h_scale;
    for (TextInstance& t : inst) {
      for (size_t i = 0; i < t.polygon.size(); ++i)
        t.polygon[i] = static_cast<double>(static_cast<float>(t.polygon[i])) * (i % 2 ? inv_h : inv_w);
      t.score = static_cast<float>(t.score);
    }
  }
}

}  // namespace textq
