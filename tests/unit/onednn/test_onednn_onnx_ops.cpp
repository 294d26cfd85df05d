// The ONNX-import ops, oneDNN vs the reference executor, one op at a time on
// awkward shapes, both on the graph input (plain nchw) and after a conv
// (blocked or nhwc layout), plus the Resize cases oneDNN must refuse.
#include <sstream>

#include "graph_maker.h"

namespace textq::test {
namespace {

Tensor vec(std::vector<float> v) {
  Tensor t(DType::f32, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

struct Shape4 {
  int n, c, h, w;
};
const Shape4 kShapes[] = {{1, 13, 9, 7}, {2, 16, 5, 6}, {1, 3, 1, 1}, {1, 24, 17, 10}};

// Runs `body` on a graph whose op reads the input directly, then again after a 1x1 conv.
// Shapes with a side below min_side are skipped (a 3x3 pool has no output on 1x1).
template <class Body>
void both_layouts(const char* what, Body body, int min_side = 1) {
  for (const Shape4& s : kShapes)
    for (bool after_conv : {false, true}) {
      if (s.h < min_side || s.w < min_side) continue;
      GraphMaker m(3);
      const int x = after_conv ? m.conv(m.input(), s.c, s.c, 1, 1, 0, false) : m.input();
      const int y = body(m, x, s.c);
      std::ostringstream r;
      r << what << " mb" << s.n << "ic" << s.c << "ih" << s.h << "iw" << s.w << (after_conv ? " after conv" : " on input");
      Tensor in = m.random_input({s.n, s.c, s.h, s.w});
      for (int64_t i = 0; i < in.numel(); ++i) in.data<float>()[i] *= 5.f;  // reach the clamps
      expect_matches_reference(m.graph({y}), in, r.str());
    }
}

TEST(OneDnnOnnxOps, ElementwiseOpsMatchReference) {
  OpAttrs hs;
  hs.alpha = 0.2f, hs.beta = 0.5f;
  OpAttrs clip;
  clip.alpha = -1.f, clip.beta = 2.5f;
  both_layouts("sigmoid", [](GraphMaker& m, int x, int) { return add_op(m, OpKind::Sigmoid, x); });
  both_layouts("hardsigmoid", [&](GraphMaker& m, int x, int) { return add_op(m, OpKind::HardSigmoid, x, -1, hs); });
  both_layouts("hardswish", [](GraphMaker& m, int x, int) { return add_op(m, OpKind::HardSwish, x); });
  both_layouts("clip", [&](GraphMaker& m, int x, int) { return add_op(m, OpKind::Clip, x, -1, clip); });
  both_layouts("affine_scalar", [](GraphMaker& m, int x, int) {
    return add_op(m, OpKind::Affine, x, -1, OpAttrs(), Window2d(), vec({1.7f}), vec({-0.3f}));
  });
  both_layouts("affine_channel", [](GraphMaker& m, int x, int c) {
    std::vector<float> a, b;
    for (int i = 0; i < c; ++i) a.push_back(0.5f + 0.1f * i), b.push_back(0.2f * i - 1.f);
    return add_op(m, OpKind::Affine, x, -1, OpAttrs(), Window2d(), vec(a), vec(b));
  });
}

TEST(OneDnnOnnxOps, MulAndPoolingMatchReference) {
  both_layouts("mul_same", [](GraphMaker& m, int x, int) { return add_op(m, OpKind::Mul, x, add_op(m, OpKind::Sigmoid, x)); });
  both_layouts("se_gate", [](GraphMaker& m, int x, int c) {
    const int gap = add_op(m, OpKind::GlobalAveragePool, x);
    const int gate = add_op(m, OpKind::Sigmoid, m.conv(gap, c, c, 1, 1, 0, false));
    return add_op(m, OpKind::Mul, x, gate);
  });
  for (bool include : {false, true}) {
    OpAttrs a;
    a.count_include_pad = include;
    Window2d w = Window2d::square(3, 2, 1);
    w.pad_right = 0;
    both_layouts(include ? "avgpool_incl" : "avgpool_excl", [&](GraphMaker& m, int x, int) {
      return add_op(m, OpKind::AveragePool, x, -1, a, w);
    }, 3);
  }
}

TEST(OneDnnOnnxOps, PadMatchesReference) {
  OpAttrs a;
  a.alpha = 0.75f;
  Window2d w;
  w.pad_top = 2, w.pad_left = 0, w.pad_bottom = 1, w.pad_right = 3;
  both_layouts("pad", [&](GraphMaker& m, int x, int) { return add_op(m, OpKind::Pad, x, -1, a, w); });
  Window2d h;
  h.pad_top = 1;
  both_layouts("pad_top_only", [&](GraphMaker& m, int x, int) { return add_op(m, OpKind::Pad, x, -1, a, h); });
}

TEST(OneDnnOnnxOps, ResizeModesOneDnnRunsMatchReference) {
  struct Case {
    ResizeMode mode;
    CoordMode coord;
    NearestRound round;
    float sh, sw;
    int64_t oh, ow;
  };
  const Case cases[] = {
      {ResizeMode::Nearest, CoordMode::Asymmetric, NearestRound::Floor, 2.f, 2.f, 0, 0},   // PaddleOCR
      {ResizeMode::Nearest, CoordMode::Asymmetric, NearestRound::Floor, 4.f, 8.f, 0, 0},
      {ResizeMode::Nearest, CoordMode::HalfPixel, NearestRound::RoundPreferFloor, 2.f, 3.f, 0, 0},
      {ResizeMode::Nearest, CoordMode::PytorchHalfPixel, NearestRound::RoundPreferCeil, 3.f, 2.f, 0, 0},
      {ResizeMode::Linear, CoordMode::HalfPixel, NearestRound::Floor, 2.f, 2.f, 0, 0},     // bilinear, align_corners=False
      {ResizeMode::Linear, CoordMode::PytorchHalfPixel, NearestRound::Floor, 1.f, 1.f, 12, 20},  // fixed sizes
  };
  for (const Case& c : cases) {
    OpAttrs a;
    a.resize_mode = c.mode, a.coord_mode = c.coord, a.nearest_round = c.round;
    a.scale_h = c.sh, a.scale_w = c.sw, a.out_h = c.oh, a.out_w = c.ow;
    both_layouts("resize", [&](GraphMaker& m, int x, int) { return add_op(m, OpKind::Resize, x, -1, a); });
  }
}

TEST(OneDnnOnnxOps, ResizeModesOneDnnCannotRunAreRefusedNamingTheNode) {
  OpAttrs a;
  a.resize_mode = ResizeMode::Linear, a.coord_mode = CoordMode::AlignCorners, a.scale_h = a.scale_w = 2.f;
  GraphMaker m(1);
  const int y = add_op(m, OpKind::Resize, m.input(), -1, a);
  ExecOptions o;
  auto exec = make_onednn_executor(m.graph({y}), o);
  try {
    exec->run(m.random_input({1, 3, 5, 5}));
    ADD_FAILURE() << "align_corners bilinear ran on oneDNN";
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::UnsupportedModel));
    EXPECT_NE(std::string(e.what()).find("Resize0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("align_corners"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace textq::test
