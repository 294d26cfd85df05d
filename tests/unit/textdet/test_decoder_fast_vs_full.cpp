// The fast decode_textsnake (bounding-box canvases, lazy sigmoids, skipped
// zero blocks, border-list thinning, RETR_LIST) must give exactly what the
// straightforward full-frame decoder gives: same instances, order, points and
// score bits. Large maps: a synthetic 736x1312 map with curved instances and
// the committed head outputs tiled (components cut at tile seams and frame
// edges), at several thresholds; plus the pieces against their definitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/npy.h"
#include "textdet/center_mask.h"
#include "textdet/fill_hole.h"
#include "textdet/merge_disks.h"
#include "textdet/numpy_compat.h"
#include "textdet/sigmoid.h"
#include "textdet/textsnake_decoder.h"
#include "textdet/textsnake_decoder_full_frame.h"
#include "textdet/union_score.h"
#include "unit/textdet/synthetic_textsnake_map.h"

namespace textq {
namespace {

const std::string kData = "tests/data/textdet/";

void expect_identical(const float* maps, int h, int w, const DecoderParams& p, const std::string& what,
                      size_t min_instances) {
  DecodeStats sf, sr;
  const auto fast = decode_textsnake(maps, h, w, p, &sf);
  const auto full = decode_textsnake_full_frame(maps, h, w, p, &sr);
  ASSERT_EQ(fast.size(), full.size()) << what;
  EXPECT_GE(full.size(), min_instances) << what;
  for (size_t i = 0; i < full.size(); ++i) {
    ASSERT_EQ(fast[i].polygon, full[i].polygon) << what << ": instance " << i;
    // bit equality (memcmp also separates 0.0/-0.0 and compares NaN payloads)
    EXPECT_EQ(0, std::memcmp(&fast[i].score, &full[i].score, sizeof(double)))
        << what << ": instance " << i << " score " << fast[i].score << " vs " << full[i].score;
  }
  EXPECT_EQ(sf.centralize_guard_hits, sr.centralize_guard_hits) << what;
  EXPECT_EQ(sf.skipped_empty_skeletons, sr.skipped_empty_skeletons) << what;
}

// A (1,5,h,w) map tiled to 5 x H x W, starting at tile offset (oy, ox).
std::vector<float> tiled(const std::string& file, int H, int W, int oy = 0, int ox = 0) {
  const Tensor t = npy_read(kData + file);
  const int h = static_cast<int>(t.dim(2)), w = static_cast<int>(t.dim(3));
  const float* s = t.data<float>();
  std::vector<float> m(5 * static_cast<size_t>(H) * W);
  for (int c = 0; c < 5; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        m[(static_cast<size_t>(c) * H + y) * W + x] =
            s[(static_cast<size_t>(c) * h + (y + oy) % h) * w + (x + ox) % w];
  return m;
}

TEST(DecoderFastVsFull, SyntheticCurvedInstances736x1312) {
  const int H = 736, W = 1312;
  const auto maps = test::make_synthetic_maps(H, W, 20);
  expect_identical(maps.data(), H, W, DecoderParams{}, "synthetic 20", 12);
  const auto empty = test::make_synthetic_maps(H, W, 0);
  expect_identical(empty.data(), H, W, DecoderParams{}, "synthetic empty", 0);
}

TEST(DecoderFastVsFull, TiledHarnessSyntheticMap) {
  // pp_synth is 320x480: seams cut its instances, the frame edges clip them
  const auto maps = tiled("pp_synth.pred.npy", 736, 1312, 100, 170);
  expect_identical(maps.data(), 736, 1312, DecoderParams{}, "pp_synth tiled", 10);
}

TEST(DecoderFastVsFull, TiledRandomModelMapManyComponents) {
  // random-weight model output: tens of thousands of noise components
  {
    const auto maps = tiled("rand128x256.pred.npy", 736, 1312);
    expect_identical(maps.data(), 736, 1312, DecoderParams{}, "rand tiled thr 0.2", 0);
  }
  const auto maps = tiled("rand128x256.pred.npy", 256, 640, 30, 50);
  DecoderParams p;
  p.min_center_region_confidence = 0.16f;
  expect_identical(maps.data(), 256, 640, p, "rand tiled thr 0.16", 40);
  // No minimum area: lone pixels are decoded too (the fast path keeps them).
  const auto small = tiled("rand128x256.pred.npy", 40, 64, 10, 20);
  p.min_center_area = 0;
  expect_identical(small.data(), 40, 64, p, "rand tiled thr 0.16, min area 0", 150);
}

TEST(DecoderFastVsFull, TiledTieMapAndOtherThresholds) {
  const auto maps = tiled("tie64x128.pred.npy", 300, 520, 7, 11);
  expect_identical(maps.data(), 300, 520, DecoderParams{}, "tie tiled", 10);
  // thresholds outside the logit-shortcut range take the exact path everywhere
  const auto synth = test::make_synthetic_maps(240, 400, 6, 7);
  for (float thr : {0.0005f, 0.05f, 0.6f, 0.9995f}) {
    DecoderParams p;
    p.min_center_region_confidence = thr;
    p.disk_overlap_thr = 0.1;
    expect_identical(synth.data(), 240, 400, p, "synthetic thr " + std::to_string(thr), 0);
  }
}

// The decoder traces RETR_EXTERNAL on the unfilled mask instead of MMOCR's
// fill_hole + findContours: same contours, same order, on masks full of holes,
// islands in holes, rings touching diagonally and components at the edges.
TEST(DecoderFastVsFull, ExternalContoursEqualThoseOfTheFilledMask) {
  auto filled_contours = [](const cv::Mat& m) {
    std::vector<std::vector<cv::Point>> c;
    cv::findContours(fill_hole(m), c, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);
    return c;
  };
  auto external_contours = [](const cv::Mat& m) {
    std::vector<std::vector<cv::Point>> c;
    cv::findContours(m, c, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    return c;
  };
  // A ring with an island in its hole, a ring whose hole touches the outside
  // only diagonally (a hole for both), and a pixel on the edge.
  cv::Mat m = cv::Mat::zeros(12, 16, CV_8U);
  cv::rectangle(m, cv::Rect(1, 1, 7, 7), cv::Scalar(1));
  m.at<uint8_t>(4, 4) = 1;
  cv::rectangle(m, cv::Rect(9, 2, 5, 5), cv::Scalar(1));
  m.at<uint8_t>(2, 13) = 0;  // the corner opens the ring diagonally only
  m.at<uint8_t>(11, 0) = 1;
  ASSERT_EQ(external_contours(m), filled_contours(m));
  EXPECT_EQ(external_contours(m).size(), 3u);
  std::mt19937 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    const int h = 4 + static_cast<int>(rng() % 70), w = 4 + static_cast<int>(rng() % 90);
    std::bernoulli_distribution on(0.2 + 0.6 * (rng() % 100) / 100.0);  // up to crowded: many holes
    cv::Mat r(h, w, CV_8U);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) r.at<uint8_t>(y, x) = on(rng) ? 1 : 0;
    ASSERT_EQ(external_contours(r), filled_contours(r)) << "trial " << trial << " " << h << "x" << w;
  }
}

// Every pixel's mask bit equals the full-frame formula, for logits dense
// around logit(thr) and the shortcut bound, and for NaN / inf.
TEST(DecoderFastVsFull, CenterMaskMatchesFormulaNearThreshold) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float thr : {0.2f, 0.001f, 0.5f, 0.999f, 0.0f, -0.5f, 1.0f}) {
    const int h = 64, w = 200;
    std::vector<float> t(h * w), c(h * w);
    std::mt19937 rng(7);
    const double lg = (thr > 0 && thr < 1) ? std::log(thr / (1.0 - thr)) : 0.0;
    std::uniform_real_distribution<double> near(-0.2, 0.2);
    for (int i = 0; i < h * w; ++i) {
      t[i] = static_cast<float>(lg + near(rng) + (i % 3 == 0 ? 6.0 : 0.0));
      c[i] = static_cast<float>(lg + near(rng) + (i % 5 == 0 ? 6.0 : 0.0));
      // exact float neighbours of the logit
      if (i % 7 == 0) t[i] = std::nextafter(static_cast<float>(lg), (i % 2) ? inf : -inf);
    }
    t[3] = nan, c[4] = nan, t[5] = inf, c[5] = inf, t[6] = -inf, c[7] = -inf, t[8] = 40, c[8] = 40;
    t[9] = 40, c[9] = nan, t[10] = nan, c[10] = 40, t[11] = nan, c[11] = nan;  // a NaN beside a sure pass
    const CenterMask cm = center_region_mask(t.data(), c.data(), h, w, thr);
    int set = 0, x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int i = y * w + x;
        const float s = sigmoid1_f32(c[i]) * sigmoid1_f32(t[i]);
        const uint8_t want = s > thr ? 1 : 0;
        ASSERT_EQ(cm.mask.at<uint8_t>(y, x), want) << "thr " << thr << " pixel " << i;
        if (want) {
          ++set;
          x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
      }
    }
    if (set) {
      EXPECT_EQ(cm.box, cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1)) << thr;
    } else {
      EXPECT_TRUE(cm.box.empty()) << thr;
    }
  }
}

// Pixels whose float32 S is within a few ulps of thr (the centre logit solved
// for S = thr given the text logit, then its float neighbours): where the
// vectorised estimate cannot decide, the formula must; every bit as the formula.
TEST(DecoderFastVsFull, CenterMaskDecidesPixelsOnTheThresholdAsTheFormula) {
  const int h = 48, w = 333;  // odd width: vector loops end in a remainder
  for (float thr : {0.2f, 0.001f, 0.37f, 0.999f}) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> text(std::log(thr / (1.0 - thr)) + 0.01, 30.0);
    std::vector<float> t(h * w), c(h * w);
    for (int i = 0; i < h * w; ++i) {
      t[i] = static_cast<float>(text(rng));
      const double st = 1.0 / (1.0 + std::exp(-static_cast<double>(t[i])));
      const double sc = std::min(thr / st, 1.0 - 1e-7);  // sigma(c) = thr / sigma(t)
      float ci = static_cast<float>(std::log(sc / (1.0 - sc)));
      for (int step = static_cast<int>(rng() % 9) - 4; step != 0; step += step > 0 ? -1 : 1)
        ci = std::nextafter(ci, step > 0 ? 100.0f : -100.0f);
      c[i] = ci;
    }
    const CenterMask cm = center_region_mask(t.data(), c.data(), h, w, thr);
    int set = 0;
    for (int i = 0; i < h * w; ++i) {
      const uint8_t want = sigmoid1_f32(c[i]) * sigmoid1_f32(t[i]) > thr ? 1 : 0;
      set += want;
      ASSERT_EQ(cm.mask.at<uint8_t>(i / w, i % w), want) << "thr " << thr << " pixel " << i << " t " << t[i] << " c " << c[i];
    }
    EXPECT_GT(set, h * w / 20) << thr;  // both outcomes well represented
    EXPECT_LT(set, h * w * 19 / 20) << thr;
  }
}

// The windowed score equals numpy_sum_f32 over the full-frame product for
// windows anywhere in the frame, including ones spanning 8192-block seams and
// frame edges, sparse and dense masks.
TEST(DecoderFastVsFull, UnionScoreMatchesFullFrameSum) {
  const int h = 190, w = 517;  // w not a divisor of 8192: blocks start mid-row
  std::mt19937 rng(3);
  std::normal_distribution<float> logit(0.0f, 3.0f);
  std::vector<float> text_logit(h * w);
  for (float& v : text_logit) v = logit(rng);
  std::uniform_int_distribution<int> px(-5, w), py(-5, h), sz(1, 160);
  for (int trial = 0; trial < 300; ++trial) {
    const cv::Point o(px(rng), py(rng));
    cv::Mat z = cv::Mat::zeros(sz(rng), sz(rng), CV_8U);
    const double density = (trial % 3 == 0) ? 0.02 : 0.7;
    std::bernoulli_distribution on(density);
    for (int y = 0; y < z.rows; ++y)
      for (int x = 0; x < z.cols; ++x) z.at<uint8_t>(y, x) = on(rng);
    // full-frame definition
    std::vector<float> prod(h * w, 0.0f);
    uint64_t count = 0;
    for (int y = 0; y < z.rows; ++y) {
      for (int x = 0; x < z.cols; ++x) {
        const int fy = o.y + y, fx = o.x + x;
        if (fy < 0 || fy >= h || fx < 0 || fx >= w || !z.at<uint8_t>(y, x)) continue;
        prod[fy * w + fx] = sigmoid1_f32(text_logit[fy * w + fx]);
        ++count;
      }
    }
    const double want =
        static_cast<double>(numpy_sum_f32(prod.data(), prod.size())) / (static_cast<double>(count) + 1e-8);
    const double got = union_text_score(z, o, text_logit.data(), h, w);
    ASSERT_EQ(0, std::memcmp(&got, &want, sizeof(double)))
        << "trial " << trial << ": " << got << " vs " << want;
  }
}

// The grid-indexed merge equals the all-pairs loop: same disks, order and
// bits, on dense centre lines (many merges), score ties, negative / zero /
// mixed radii and sizes around the all-pairs cut-over.
TEST(DecoderFastVsFull, GridMergeEqualsAllPairs) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 400; ++trial) {
    const int n = std::uniform_int_distribution<int>(0, 900)(rng);
    const int spread = std::uniform_int_distribution<int>(3, 400)(rng);
    std::uniform_int_distribution<int> coord(0, spread);
    std::uniform_real_distribution<double> rad(trial % 5 == 0 ? -5.0 : 0.0, trial % 7 == 0 ? 300.0 : 25.0);
    std::uniform_int_distribution<int> tie(0, 3);
    std::vector<Disk> d(n);
    for (int i = 0; i < n; ++i) {
      // a curve of integer points with repeats, like centralised skeletons
      const double u = static_cast<double>(i) / std::max(1, n);
      const int x = (trial % 2) ? coord(rng) : static_cast<int>(spread * u);
      const int y = (trial % 2) ? coord(rng) : static_cast<int>(spread * 0.3 * std::sin(6 * u)) + spread / 2;
      // float32 values as in the decoder; every 4th trial full doubles, whose
      // sums depend on the summation order
      const bool dbl = trial % 4 == 1;
      const double r = dbl ? rad(rng) * 1.03 : static_cast<float>(rad(rng)) * 1.03f;
      const double score = (trial % 3 == 0) ? 0.25 * tie(rng)
                           : dbl            ? rad(rng) / 300.0
                                            : static_cast<float>(rad(rng) / 300.0);
      d[i] = {static_cast<double>(x), static_cast<double>(y), r, score};
    }
    const double ratio = (trial % 11 == 0 || trial % 4 == 1) ? 0.5 : 0.03;
    const auto want = merge_disks_all_pairs(d, ratio);
    const auto got = merge_disks(d, ratio);
    ASSERT_EQ(got.size(), want.size()) << "trial " << trial;
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(0, std::memcmp(&got[i], &want[i], sizeof(Disk))) << "trial " << trial << " disk " << i;
  }
}

}  // namespace
}  // namespace textq
