// The straightforward decoder: every per-instance step runs on full-frame
// canvases exactly as MMOCR writes it. Slow (~0.1 s per instance at 736x1312);
// kept as the executable specification the fast decode_textsnake is tested
// against (tests/unit/textdet/test_decoder_fast_vs_full.cpp) and timed against
// (bench/bench_decoder.cpp). Not for production use.
#include "textdet/textsnake_decoder_full_frame.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include <opencv2/imgproc.hpp>

#include "textdet/centralize.h"
#include "textdet/fill_hole.h"
#include "textdet/merge_disks.h"
#include "textdet/numpy_compat.h"
#include "textdet/sigmoid.h"
#include "textq/error.h"


namespace textq {
namespace {

constexpr int kMaxSide = 1 << 15;  // far beyond any padded input (1333-limited)

// skeletonize() as first written: every sub-pass scans the whole box. The
// production skeletonize only visits border pixels; this keeps the
// comparison independent of that change.
// 1 = removable in sub-pass 1, 2 = in sub-pass 2, 3 = in both.
// Neighbour bits: NW=1, N=2, NE=4, E=8, SE=16, S=32, SW=64, W=128.
std::array<uint8_t, 256> make_skeleton_lut() {
  std::array<uint8_t, 256> lut{};
  for (int c : {3, 6, 11, 12, 14, 131, 134, 143, 159, 161, 194, 198, 207, 227, 231, 243}) lut[c] = 1;
  for (int c : {24, 26, 56, 62, 63, 96, 104, 108, 126, 176, 192, 224, 248, 249, 252}) lut[c] = 2;
  for (int c : {7, 10, 15, 28, 30, 31, 40, 60, 112, 120, 124, 130, 135, 160, 193, 195, 199, 225,
                240, 241})
    lut[c] = 3;
  return lut;
}

std::vector<uint8_t> skeletonize_full_scan(const std::vector<uint8_t>& mask, int rows, int cols) {
  static const std::array<uint8_t, 256> lut = make_skeleton_lut();
  const int pw = cols + 2;  // one zero pixel of padding on every side
  std::vector<uint8_t> img(static_cast<size_t>(rows + 2) * pw, 0);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      img[(y + 1) * static_cast<size_t>(pw) + x + 1] = mask[y * static_cast<size_t>(cols) + x] != 0;

  std::vector<size_t> removed;
  bool changed = true;
  while (changed) {
    changed = false;
    for (int pass = 1; pass <= 2; ++pass) {
      // Codes are read from the image as it was at the start of the sub-pass,
      // so removals are collected and applied afterwards.
      removed.clear();
      for (int y = 1; y <= rows; ++y) {
        const uint8_t* up = &img[(y - 1) * static_cast<size_t>(pw)];
        const uint8_t* mid = up + pw;
        const uint8_t* dn = mid + pw;
        for (int x = 1; x <= cols; ++x) {
          if (!mid[x]) continue;
          const int code = up[x - 1] | (up[x] << 1) | (up[x + 1] << 2) | (mid[x + 1] << 3) |
                           (dn[x + 1] << 4) | (dn[x] << 5) | (dn[x - 1] << 6) | (mid[x - 1] << 7);
          const uint8_t t = lut[code];
          if (t == 3 || t == pass) removed.push_back(y * static_cast<size_t>(pw) + x);
        }
      }
      for (size_t i : removed) img[i] = 0;
      if (!removed.empty()) changed = true;
    }
  }

  std::vector<uint8_t> out(static_cast<size_t>(rows) * cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      out[y * static_cast<size_t>(cols) + x] = img[(y + 1) * static_cast<size_t>(pw) + x + 1];
  return out;
}

struct ScoreMaps {
  cv::Mat text;    // T = sigmoid(ch0), CV_32F
  cv::Mat center;  // S = sigmoid(ch1) * T, CV_32F
  cv::Mat sin_n, cos_n, radius;
};

ScoreMaps make_score_maps(const float* maps, int h, int w) {
  const size_t n = static_cast<size_t>(h) * w;
  ScoreMaps s;
  s.text.create(h, w, CV_32F);
  s.center.create(h, w, CV_32F);
  s.sin_n.create(h, w, CV_32F);
  s.cos_n.create(h, w, CV_32F);
  // The radius channel is used raw; wrap it without copying.
  s.radius = cv::Mat(h, w, CV_32F, const_cast<float*>(maps + 4 * n));
  float* t = s.text.ptr<float>();
  float* c = s.center.ptr<float>();
  sigmoid_f32(maps, t, n);
  sigmoid_f32(maps + n, c, n);
  const float* sn = maps + 2 * n;
  const float* cs = maps + 3 * n;
  float* so = s.sin_n.ptr<float>();
  float* co = s.cos_n.ptr<float>();
  const float eps = 1e-8f;  // numpy rounds the Python 1e-8 to float32
  for (size_t i = 0; i < n; ++i) {
    c[i] = c[i] * t[i];
    const float sum = sn[i] * sn[i] + cs[i] * cs[i];
    const float scale = std::sqrt(1.0f / (sum + eps));
    so[i] = sn[i] * scale;
    co[i] = cs[i] * scale;
  }
  return s;
}

// Decodes one centre component; returns false if it yields no instance.
bool decode_component(const std::vector<cv::Point>& contour, const ScoreMaps& s,
                      const DecoderParams& p, TextInstance& out, DecodeStats& stats) {
  const int h = s.text.rows, w = s.text.cols;
  cv::Mat inst = cv::Mat::zeros(h, w, CV_8U);
  cv::drawContours(inst, std::vector<std::vector<cv::Point>>{contour}, -1, cv::Scalar(1),
                   cv::FILLED);

  // Skeletonise only the bounding box (+1 px): thinning reads 3x3
  // neighbourhoods and the background outside the box is all zero.
  cv::Rect box = cv::boundingRect(contour);
  box.x = std::max(0, box.x - 1);
  box.y = std::max(0, box.y - 1);
  box.width = std::min(w - box.x, box.width + 2);
  box.height = std::min(h - box.y, box.height + 2);
  std::vector<uint8_t> crop(static_cast<size_t>(box.width) * box.height);
  for (int y = 0; y < box.height; ++y)
    std::copy_n(inst.ptr<uint8_t>(box.y + y) + box.x, box.width, &crop[y * box.width]);
  const std::vector<uint8_t> skel = skeletonize_full_scan(crop, box.height, box.width);

  // Skeleton points in row-major order (np.argwhere).
  std::vector<CentralizeInput> pts;
  for (int y = 0; y < box.height; ++y) {
    for (int x = 0; x < box.width; ++x) {
      if (!skel[y * box.width + x]) continue;
      const int gy = box.y + y, gx = box.x + x;
      pts.push_back({{gy, gx}, s.cos_n.at<float>(gy, gx), s.sin_n.at<float>(gy, gx),
                     s.radius.at<float>(gy, gx)});
    }
  }
  if (pts.empty()) {  // MMOCR raises on this (np.vstack of nothing)
    ++stats.skipped_empty_skeletons;
    return false;
  }
  const std::vector<PointYX> centres =
      centralize(pts, inst.ptr<uint8_t>(), h, w, p.max_centralize_steps,
                 &stats.centralize_guard_hits);

  const float shrink = static_cast<float>(p.radius_shrink_ratio);  // numpy: float32 product
  std::vector<Disk> disks;
  disks.reserve(centres.size());
  for (const PointYX& c : centres) {
    const float r = s.radius.at<float>(c.y, c.x) * shrink;
    disks.push_back({static_cast<double>(c.x), static_cast<double>(c.y), r,
                     s.center.at<float>(c.y, c.x)});
  }
  const std::vector<Disk> merged = merge_disks_all_pairs(disks, p.disk_overlap_thr);

  cv::Mat zmask = cv::Mat::zeros(h, w, CV_8U);
  for (const Disk& d : merged) {
    if (d.radius > 1) {
      cv::circle(zmask, cv::Point(static_cast<int>(d.x), static_cast<int>(d.y)),
                 static_cast<int>(d.radius), cv::Scalar(1), cv::FILLED);
    }
  }
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(zmask.clone(), contours, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);

  // Score: mean text score over the whole disk union, numpy float32 sum.
  const size_t n = static_cast<size_t>(h) * w;
  std::vector<float> prod(n);
  const uint8_t* z = zmask.ptr<uint8_t>();
  const float* t = s.text.ptr<float>();
  uint64_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    prod[i] = z[i] ? t[i] : 0.0f;
    count += z[i];
  }
  const double score =
      static_cast<double>(numpy_sum_f32(prod.data(), n)) / (static_cast<double>(count) + 1e-8);

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

std::vector<TextInstance> decode_textsnake_full_frame(const float* maps, int Hp, int Wp,
                                                      const DecoderParams& p,
                                                      DecodeStats* stats) {
  if (!maps || Hp <= 0 || Wp <= 0 || Hp > kMaxSide || Wp > kMaxSide) {
    throw Error(ErrorKind::InvalidArgument,
                "decode_textsnake_full_frame: map size " + std::to_string(Hp) + "x" + std::to_string(Wp) +
                    " must be within 1.." + std::to_string(kMaxSide) + " (and maps non-null)");
  }
  DecodeStats local;
  DecodeStats& st = stats ? *stats : local;
  const ScoreMaps s = make_score_maps(maps, Hp, Wp);

  // centre mask: S > float32(threshold) (numpy compares float32 to float32)
  cv::Mat center_mask(Hp, Wp, CV_8U);
  const float thr = p.min_center_region_confidence;
  for (int y = 0; y < Hp; ++y) {
    const float* c = s.center.ptr<float>(y);
    uint8_t* m = center_mask.ptr<uint8_t>(y);
    for (int x = 0; x < Wp; ++x) m[x] = c[x] > thr ? 1 : 0;
  }
  cv::Mat filled = fill_hole(center_mask);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(filled, contours, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);

  std::vector<TextInstance> out;
  for (const auto& contour : contours) {
    if (cv::contourArea(contour) < p.min_center_area) continue;
    TextInstance inst;
    if (decode_component(contour, s, p, inst, st)) out.push_back(std::move(inst));
  }
  return out;
}

}  // namespace textq
