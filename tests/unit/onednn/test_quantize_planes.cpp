// The image-quantizing reorder on our own loop (OneDnnTuning::
// quantize_planes_kernel, quantize_planes.h) must write exactly the bytes
// oneDNN's reorder writes: the same f32 product, rounding and saturation.
#include <dnnl.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "backends/onednn/quantize_planes.h"
#include "int8_graph.h"

namespace textq::test {
namespace {

using Dt = dnnl::memory::data_type;
using Tag = dnnl::memory::format_tag;

// oneDNN's reorder of src [n, c, h, w] f32 into NHWC bytes with output scale `scale`.
std::vector<uint8_t> onednn_quantize(const std::vector<float>& src, const dnnl::memory::dims& dims, float scale,
                                     bool is_signed) {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  std::vector<uint8_t> out(src.size());
  dnnl::memory from({dims, Dt::f32, Tag::nchw}, engine, const_cast<float*>(src.data()));
  dnnl::memory to({dims, is_signed ? Dt::s8 : Dt::u8, Tag::nhwc}, engine, out.data());
  dnnl::primitive_attr attr;
  attr.set_output_scales(0, {scale});
  dnnl::reorder(dnnl::reorder::primitive_desc(engine, from.get_desc(), engine, to.get_desc(), attr))
      .execute(stream, from, to);
  stream.wait();
  return out;
}

// Where NHWC byte i came from in the NCHW source.
size_t nchw_index(const dnnl::memory::dims& d, size_t i) {
  const int64_t c = d[1], h = d[2], w = d[3], k = static_cast<int64_t>(i) % c, pixel = static_cast<int64_t>(i) / c;
  const int64_t img = pixel / (h * w), yx = pixel % (h * w);
  return static_cast<size_t>((img * c + k) * h * w + yx);
}

// Random values over twice the type's range, exact rounding ties, the range's
// edges, values beyond int32, infinities, NaN and -0.
std::vector<float> hostile_values(size_t count, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> wide(-600.f, 600.f);
  std::uniform_int_distribution<int> tie(-200, 300);
  const float special[] = {0.f, -0.f, 127.5f, -128.5f, 255.5f, 126.5f, 1e12f, -1e12f, 3e9f,
                           std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN()};
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) {
    const int kind = static_cast<int>(rng() % 8);
    if (kind == 0) v[i] = special[rng() % (sizeof special / sizeof special[0])] / scale;
    else if (kind < 3) v[i] = (static_cast<float>(tie(rng)) + 0.5f) / scale;  // x * scale lands on .5
    else v[i] = wide(rng) / scale;
  }
  return v;
}

TEST(QuantizePlanes, WritesOneDnnsBytesForEveryChannelCountWidthAndType) {
  if (!onednn::quantize_planes_supported()) GTEST_SKIP() << "needs AVX-512 BW + VBMI";
  unsigned seed = 1;
  for (float scale : {0.25f, 48.484848f, 1.f / 3}) {
    for (bool is_signed : {true, false})
      for (int64_t c = 1; c <= 4; ++c)
        for (int64_t w : {1, 5, 15, 16, 17, 33, 70})
          for (int64_t n : {1, 2}) {
            const dnnl::memory::dims dims{n, c, 3, w};
            const std::vector<float> src = hostile_values(static_cast<size_t>(n * c * 3 * w), scale, seed++);
            const std::vector<uint8_t> want = onednn_quantize(src, dims, scale, is_signed);
            for (int threads : {1, 2}) {
              std::vector<uint8_t> got(src.size() + 64, 0xA5);  // bytes past the end must stay
              onednn::quantize_planes(src.data(), n, c, 3, w, scale, is_signed, got.data(), threads);
              for (size_t i = 0; i < src.size(); ++i)
                ASSERT_EQ(got[i], want[i]) << "scale " << scale << (is_signed ? " s8" : " u8") << " c " << c << " w "
                                           << w << " n " << n << " byte " << i << " threads " << threads
                                           << " value " << src[nchw_index(dims, i)];
              for (size_t i = src.size(); i < got.size(); ++i) ASSERT_EQ(got[i], 0xA5) << "wrote past the end";
            }
          }
  }
}

OneDnnTuning onednn_reorder() {
  OneDnnTuning t;
  t.quantize_planes_kernel = false;
  return t;
}

// A graph whose INT8 stem reads the image: the same outputs with the
// quantizing reorder on our loop and on oneDNN's, for s8 and u8 inputs of 1
// and 3 channels at an odd width, from inputs off the quantization grid.
TEST(QuantizePlanes, GraphInputQuantizedByOurLoopGivesTheSameOutputs) {
  if (!onednn::quantize_planes_supported()) GTEST_SKIP() << "needs AVX-512 BW + VBMI";
  for (int64_t c : {1, 3})
    for (DType type : {DType::i8, DType::u8}) {
      GraphMaker m(51);
      const int a = m.conv(m.input(), c, 16, 7, 2, 3, true);
      Graph g = m.graph({m.conv(a, 16, 8, 3, 1, 1, false)});
      Int8Options o;
      o.input_type = type;
      o.input_scale = 1.f / 37;
      Tensor x(DType::f32, {1, c, 29, 45});
      std::mt19937 rng(7);
      std::uniform_real_distribution<float> d(type == DType::u8 ? 0.f : -3.f, 3.f);
      for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = d(rng);
      g = make_int8(g, x, o);
      auto mine = make_onednn_executor(g, two_threads());
      auto theirs = make_onednn_executor(g, two_threads(), onednn_reorder());
      EXPECT_EQ(max_difference(mine->run(x), theirs->run(x)), 0.f) << "c " << c << " " << dtype_name(type);
      // The stem's profile names the step that quantized its input.
      EXPECT_EQ(impl_of(*mine, g.nodes[0].name).rfind("quantize_planes:avx512 + ", 0), 0u) << impl_of(*mine, g.nodes[0].name);
      EXPECT_EQ(impl_of(*theirs, g.nodes[0].name).find("quantize_planes"), std::string::npos);
    }
}

}  // namespace
}  // namespace textq::test
