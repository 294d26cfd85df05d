#include "textdet/db_decoder.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "textdet/db_box.h"
#include "textdet/db_unclip.h"
#include "textdet/preprocess.h"
#include "textq/error.h"

namespace textq {
namespace {

constexpr int kMaxSide = 1 << 15;
constexpr float kPaddleMinSize = 3.0f;         // DBPostProcess.min_size
constexpr double kPaddlePolyEpsilon = 0.002;  // polygons_from_bitmap's approxPolyDP ratio

using Contour = std::vector<cv::Point>;

std::vector<cv::Point2d> to_2d(const Contour& c) { return {c.begin(), c.end()}; }

void push_points(TextInstance& t, const Contour& c) {
  for (const cv::Point& p : c) {
    t.polygon.push_back(p.x);
    t.polygon.push_back(p.y);
  }
}

void push_corners(TextInstance& t, const cv::Point2f* v) {
  for (int i = 0; i < 4; ++i) {
    t.polygon.push_back(v[i].x);
    t.polygon.push_back(v[i].y);
  }
}

// What `np.array(pyclipper result)` leaves each reference with when Clipper
// returns several paths (a ring closing on itself: outer path + hole).
// MMOCR 0.x: paths of one length become one (k, n, 2) array, reshaped into a
// single point list; ragged paths become an object array it skips.
// MMOCR 1.x (dtype=object): equal lengths -> the first path; ragged -> skip.
// PaddleOCR polygons: skipped whenever there is more than one path.
bool pick_unclipped(const std::vector<Contour>& paths, DbFlavour f, Contour* out) {
  if (paths.empty()) return false;
  if (paths.size() == 1) {
    *out = paths[0];
    return true;
  }
  if (f == DbFlavour::Paddle) return false;
  for (const Contour& c : paths)
    if (c.size() != paths[0].size()) return false;
  if (f == DbFlavour::Mmocr1) {
    *out = paths[0];
    return true;
  }
  out->clear();
  for (const Contour& c : paths) out->insert(out->end(), c.begin(), c.end());
  return true;
}

// MMOCR DBPostprocessor (0.x __call__, 1.x get_text_instances).
std::vector<TextInstance> decode_mmocr(const cv::Mat& prob, const std::vector<Contour>& contours, const DbParams& p) {
  std::vector<TextInstance> out;
  for (size_t i = 0; i < contours.size(); ++i) {
    if (i > static_cast<size_t>(p.max_candidates)) break;  // `if i > self.max_candidates: break`
    Contour approx;
    cv::approxPolyDP(contours[i], approx, p.epsilon_ratio * cv::arcLength(contours[i], true), true);
    if (approx.size() < 4) continue;
    const double score = db_box_score(prob, approx);
    if (score < p.min_text_score) continue;
    Contour poly;
    if (!pick_unclipped(db_unclip(to_2d(approx), p.unclip_ratio), p.flavour, &poly)) continue;
    TextInstance t;
    t.score = p.flavour == DbFlavour::Mmocr1 ? static_cast<float>(score) : score;
    if (p.box_type == DbBoxType::Quad) {
      // 0.x points2boundary: minAreaRect of the int points, width > min;
      // 1.x: of the float32 points, width >= min.
      cv::RotatedRect rect;
      if (p.flavour == DbFlavour::Mmocr0) {
        rect = cv::minAreaRect(poly);
      } else {
        std::vector<cv::Point2f> pf(poly.begin(), poly.end());
        rect = cv::minAreaRect(pf);
      }
      const double side = std::min(rect.size.width, rect.size.height);
      if (p.flavour == DbFlavour::Mmocr0 ? !(side > p.min_text_width) : !(side >= p.min_text_width)) continue;
      cv::Point2f v[4];
      rect.points(v);
      push_corners(t, v);
    } else {
      if (poly.size() < 4) continue;  // fewer than 8 coordinates
      push_points(t, poly);
    }
    out.push_back(std::move(t));
  }
  return out;
}

// PaddleOCR DBPostProcess.boxes_from_bitmap (box_type quad).
std::vector<TextInstance> decode_paddle_quads(const cv::Mat& prob, const std::vector<Contour>& contours, const DbParams& p) {
  std::vector<TextInstance> out;
  const size_t n = std::min(contours.size(), static_cast<size_t>(p.max_candidates));
  for (size_t i = 0; i < n; ++i) {
    const MiniBox box = paddle_mini_box(contours[i]);
    if (box.short_side < kPaddleMinSize) continue;
    const double score = p.score_slow ? db_box_score(prob, contours[i]) : db_box_score(prob, box.corners);
    if (p.min_text_score > score) continue;
    std::vector<cv::Point2d> corners(box.corners.begin(), box.corners.end());
    Contour grown;  // unclip(...).reshape(-1, 1, 2): every returned point
    for (const Contour& c : db_unclip(corners, p.unclip_ratio)) grown.insert(grown.end(), c.begin(), c.end());
    if (grown.empty()) continue;
    const MiniBox big = paddle_mini_box(grown);
    if (big.short_side < kPaddleMinSize + 2) continue;
    TextInstance t;
    push_corners(t, big.corners.data());
    t.score = score;
    out.push_back(std::move(t));
  }
  return out;
}

// PaddleOCR DBPostProcess.polygons_from_bitmap (box_type poly).
std::vector<TextInstance> decode_paddle_polys(const cv::Mat& prob, const std::vector<Contour>& contours, const DbParams& p) {
  std::vector<TextInstance> out;
  const size_t n = std::min(contours.size(), static_cast<size_t>(p.max_candidates));
  for (size_t i = 0; i < n; ++i) {
    Contour approx;
    cv::approxPolyDP(contours[i], approx, kPaddlePolyEpsilon * cv::arcLength(contours[i], true), true);
    if (approx.size() < 4) continue;
    const double score = db_box_score(prob, approx);
    if (p.min_text_score > score) continue;
    Contour poly;
    if (!pick_unclipped(db_unclip(to_2d(approx), p.unclip_ratio), p.flavour, &poly)) continue;
    if (paddle_mini_box(poly).short_side < kPaddleMinSize + 2) continue;
    TextInstance t;
    push_points(t, poly);
    t.score = score;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

void check_db_params(const DbParams& p) {
  auto bad = [](const std::string& what) { throw Error(ErrorKind::InvalidArgument, "DB decoder: " + what); };
  if (!std::isfinite(p.mask_thr)) bad("mask_thr must be finite");
  if (!std::isfinite(p.min_text_score)) bad("min_text_score must be finite");
  if (!std::isfinite(p.min_text_width)) bad("min_text_width must be finite");
  if (!(p.unclip_ratio >= 0) || !std::isfinite(p.unclip_ratio)) bad("unclip_ratio must be a finite number >= 0");
  if (!(p.epsilon_ratio >= 0) || !std::isfinite(p.epsilon_ratio)) bad("epsilon_ratio must be a finite number >= 0");
  if (p.max_candidates < 0) bad("max_candidates must be >= 0");
}

std::vector<TextInstance> decode_db(const float* prob, int H, int W, const DbParams& p) {
  if (!prob) throw Error(ErrorKind::InvalidArgument, "DB decoder: null probability map");
  if (H <= 0 || W <= 0 || H > kMaxSide || W > kMaxSide)
    throw Error(ErrorKind::InvalidArgument, "DB decoder: map size " + std::to_string(H) + "x" + std::to_string(W) +
                                                " must be within 1.." + std::to_string(kMaxSide));
  check_db_params(p);
  const cv::Mat map(H, W, CV_32F, const_cast<float*>(prob));
  // (prob > thr) * 255 as uint8; the threshold compares in float32.
  cv::Mat mask(H, W, CV_8U);
  for (int y = 0; y < H; ++y) {
    const float* r = map.ptr<float>(y);
    uint8_t* m = mask.ptr<uint8_t>(y);
    for (int x = 0; x < W; ++x) m[x] = r[x] > p.mask_thr ? 255 : 0;
  }
  if (p.flavour == DbFlavour::Paddle && p.use_dilation) {
    cv::Mat grown;
    cv::dilate(mask, grown, cv::Mat::ones(2, 2, CV_8U));  // np.array([[1, 1], [1, 1]]), anchor (1, 1)
    mask = grown;
  }
  std::vector<Contour> contours;
  cv::findContours(mask, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  if (p.flavour != DbFlavour::Paddle) return decode_mmocr(map, contours, p);
  return p.box_type == DbBoxType::Quad ? decode_paddle_quads(map, contours, p) : decode_paddle_polys(map, contours, p);
}

void rescale_db_instances(std::vector<TextInstance>& inst, int map_h, int map_w, const PreprocessResult& pre,
                          const DbParams& p) {
  if (p.flavour != DbFlavour::Paddle) {
    rescale_instances(inst, pre, p.flavour == DbFlavour::Mmocr0 ? MmocrVersion::v0 : MmocrVersion::v1);
    return;
  }
  const int dest[2] = {pre.ori_w, pre.ori_h}, size[2] = {map_w, map_h};
  for (TextInstance& t : inst) {
    for (size_t i = 0; i < t.polygon.size(); ++i) {
      const int a = static_cast<int>(i % 2);
      double v;
      if (p.box_type == DbBoxType::Quad) {
        // float32 box / int width * float64 scalar stays float32 in NumPy 1.x
        const float q = static_cast<float>(t.polygon[i]) / static_cast<float>(size[a]) * static_cast<float>(dest[a]);
        v = std::nearbyint(q);
      } else {
        v = std::nearbyint(t.polygon[i] / size[a] * dest[a]);
      }
      t.polygon[i] = std::clamp(v, 0.0, static_cast<double>(dest[a]));
    }
  }
}

}  // namespace textq
