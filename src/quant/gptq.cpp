#include "quant/gptq.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <omp.h>

#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

// OpenMP team size for `threads` (0: OpenMP's default, as the executors do).
int team(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

// In-place lower Cholesky factor of the d x d row-major matrix a (upper part
// left as it was). False when a is not positive definite.
bool cholesky_lower(std::vector<double>& a, int64_t d, int nt) {
  for (int64_t j = 0; j < d; ++j) {
    const double* rj = &a[j * d];
    double s = rj[j];
    for (int64_t k = 0; k < j; ++k) s -= rj[k] * rj[k];
    if (!(s > 0) || !std::isfinite(s)) return false;
    const double l = std::sqrt(s);
    a[j * d + j] = l;
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t i = j + 1; i < d; ++i) {
      double* ri = &a[i * d];
      double t = ri[j];
      for (int64_t k = 0; k < j; ++k) t -= ri[k] * rj[k];
      ri[j] = t / l;
    }
  }
  return true;
}

// U (row-major, upper) with H^-1 = U^T U, from the lower Cholesky factor L of H.
bool inverse_upper_factor(const std::vector<double>& l, int64_t d, std::vector<double>& u, int nt) {
  // Linv, lower: column c of L Linv = I by forward substitution, stored transposed (row c).
  std::vector<double> linv_t(static_cast<size_t>(d * d), 0.0);
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
  for (int64_t c = 0; c < d; ++c) {
    double* col = &linv_t[c * d];
    for (int64_t i = c; i < d; ++i) {
      double s = i == c ? 1.0 : 0.0;
      const double* li = &l[i * d];
      for (int64_t k = c; k < i; ++k) s -= li[k] * col[k];
      col[i] = s / li[i];
    }
  }
  // H^-1 = Linv^T Linv: entry (i, j) = sum_k>=max(i,j) Linv[k][i] Linv[k][j].
  std::vector<double> hinv(static_cast<size_t>(d * d));
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      const double* a = &linv_t[i * d];
      const double* b = &linv_t[j * d];
      double s = 0;
      for (int64_t k = i; k < d; ++k) s += a[k] * b[k];
      hinv[i * d + j] = hinv[j * d + i] = s;
    }
  if (!cholesky_lower(hinv, d, nt)) return false;
  u.assign(static_cast<size_t>(d * d), 0.0);
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = i; j < d; ++j) u[i * d + j] = hinv[j * d + i];
  return true;
}

int8_t round_s8(double x) {
  const double r = std::nearbyint(x);
  return static_cast<int8_t>(r < -127 ? -127 : (r > 127 ? 127 : r));
}

// One candidate layer's second moments: dense, one d x d matrix; depthwise, one kk x kk per channel.
struct LayerStats {
  size_t node = 0;
  size_t layer = 0;  // its row in GptqResult::layers
  int64_t dim = 0;
  bool depthwise = false;
  std::vector<double> h;
  int64_t samples = 0;
};

// Output positions of a conv over x [N, C, H, W] to sample: all of them, or
// `limit` drawn without replacement with a seed fixed by (image, layer).
std::vector<int64_t> sample_positions(int64_t total, int64_t limit, uint32_t seed) {
  std::vector<int64_t> idx(static_cast<size_t>(total));
  std::iota(idx.begin(), idx.end(), 0);
  if (total <= limit) return idx;
  std::mt19937 rng(seed);
  for (int64_t i = 0; i < limit; ++i) {
    std::uniform_int_distribution<int64_t> pick(i, total - 1);
    std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(pick(rng))]);
  }
  idx.resize(static_cast<size_t>(limit));
  std::sort(idx.begin(), idx.end());
  return idx;
}

void accumulate(LayerStats& st, const Node& n, const Tensor& x, int64_t limit, uint32_t seed, int nt) {
  const Window2d& w = n.window;
  const int64_t batch = x.dim(0), ch = x.dim(1), ih = x.dim(2), iw = x.dim(3);
  const int64_t oh = (ih + w.pad_top + w.pad_bottom - w.dilation_h * (w.kernel_h - 1) - 1) / w.stride_h + 1;
  const int64_t ow = (iw + w.pad_left + w.pad_right - w.dilation_w * (w.kernel_w - 1) - 1) / w.stride_w + 1;
  if (oh <= 0 || ow <= 0) return;
  const int64_t kk = static_cast<int64_t>(w.kernel_h) * w.kernel_w;
  const std::vector<int64_t> pos = sample_positions(batch * oh * ow, limit, seed);
  const float* data = x.data<float>();
  // Patch of channel c at output position p into out[0..kk).
  auto patch = [&](int64_t p, int64_t c, double* out) {
    const int64_t b = p / (oh * ow), oy = (p / ow) % oh, ox = p % ow;
    const float* plane = data + (b * ch + c) * ih * iw;
    for (int ky = 0; ky < w.kernel_h; ++ky) {
      const int64_t y = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
      for (int kx = 0; kx < w.kernel_w; ++kx) {
        const int64_t xx = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
        *out++ = (y >= 0 && y < ih && xx >= 0 && xx < iw) ? plane[y * iw + xx] : 0.0;
      }
    }
  };
  st.samples += static_cast<int64_t>(pos.size());
  if (st.depthwise) {
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t c = 0; c < ch; ++c) {
      std::vector<double> v(static_cast<size_t>(kk));
      double* hc = &st.h[static_cast<size_t>(c * kk * kk)];
      for (int64_t p : pos) {
        patch(p, c, v.data());
        for (int64_t i = 0; i < kk; ++i)
          for (int64_t j = i; j < kk; ++j) hc[i * kk + j] += v[i] * v[j];
      }
    }
    return;
  }
  const int64_t d = st.dim;
  constexpr int64_t kBlock = 32;
  std::vector<double> buf(static_cast<size_t>(kBlock * d));
  for (size_t p0 = 0; p0 < pos.size(); p0 += kBlock) {
    const int64_t nb = std::min<int64_t>(kBlock, static_cast<int64_t>(pos.size() - p0));
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t bc = 0; bc < nb * ch; ++bc) patch(pos[p0 + bc / ch], bc % ch, &buf[(bc / ch) * d + (bc % ch) * kk]);
    // Upper triangle, row i by row i (a row stays in cache over the block); zeros skipped (ReLU inputs).
#pragma omp parallel for schedule(dynamic, 8) num_threads(nt)
    for (int64_t i = 0; i < d; ++i) {
      double* hi = &st.h[static_cast<size_t>(i * d)];
      for (int64_t b = 0; b < nb; ++b) {
        const double a = buf[b * d + i];
        if (a == 0) continue;
        const double* xb = &buf[b * d];
        for (int64_t j = i; j < d; ++j) hi[j] += a * xb[j];
      }
    }
  }
}

// Mirrors the upper triangle of each k x k block into the lower one.
void symmetrize(std::vector<double>& h, int64_t k) {
  for (size_t base = 0; base < h.size(); base += static_cast<size_t>(k * k))
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < i; ++j) h[base + i * k + j] = h[base + j * k + i];
}

}  // namespace

std::vector<int8_t> gptq_round_rows(const std::vector<double>& w, int64_t rows, int64_t d, std::vector<double> h,
                                    const std::vector<float>& scales, double damp, int threads) {
  const int nt = team(threads);
  std::vector<int8_t> q(static_cast<size_t>(rows * d), 0);
  auto rtn = [&] {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < d; ++i)
        q[r * d + i] = scales[r] > 0 ? round_s8(w[r * d + i] / scales[r]) : 0;
    return q;
  };
  double mean_diag = 0;
  for (int64_t i = 0; i < d; ++i) mean_diag += h[i * d + i];
  mean_diag /= static_cast<double>(d);
  if (!(mean_diag > 0) || !std::isfinite(mean_diag)) return rtn();
  // An input never seen non-zero has a zero row and column: a unit diagonal
  // keeps its weight at RTN and passes no error on.
  for (int64_t i = 0; i < d; ++i)
    if (h[i * d + i] == 0) h[i * d + i] = 1;
  std::vector<double> u;
  bool ok = false;
  for (int attempt = 0; attempt < 4 && !ok; ++attempt, damp *= 10) {
    std::vector<double> l = h;
    for (int64_t i = 0; i < d; ++i) l[i * d + i] += damp * mean_diag;
    ok = cholesky_lower(l, d, nt) && inverse_upper_factor(l, d, u, nt);
  }
  if (!ok) return rtn();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
  for (int64_t r = 0; r < rows; ++r) {
    const double s = scales[r];
    if (!(s > 0)) continue;
    std::vector<double> wr(w.begin() + r * d, w.begin() + (r + 1) * d);
    for (int64_t i = 0; i < d; ++i) {
      const int8_t qi = round_s8(wr[i] / s);
      q[r * d + i] = qi;
      const double* ui = &u[i * d];
      const double e = (wr[i] - qi * s) / ui[i];
      for (int64_t j = i + 1; j < d; ++j) wr[j] -= e * ui[j];
    }
  }
  return q;
}

double layer_output_error(const std::vector<double>& w, const std::vector<int8_t>& q, int64_t rows, int64_t d,
                          const std::vector<double>& h, const std::vector<float>& scales) {
  double total = 0;
  std::vector<double> e(static_cast<size_t>(d));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < d; ++i) e[i] = w[r * d + i] - q[r * d + i] * static_cast<double>(scales[r]);
    for (int64_t i = 0; i < d; ++i) {
      double s = 0;
      for (int64_t j = 0; j < d; ++j) s += h[i * d + j] * e[j];
      total += e[i] * s;
    }
  }
  return total;
}

GptqResult gptq_round_weights(const Graph& graph, const CalibInputs& inputs, const std::set<std::string>& skip,
                              const GptqOptions& options, const ProgressFn& progress) {
  if (inputs.count == 0) throw Error(ErrorKind::InvalidArgument, "GPTQ rounding: no calibration inputs");
  GptqResult result;
  std::vector<LayerStats> stats;
  std::vector<std::vector<size_t>> by_value(static_cast<size_t>(graph.num_values()));
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    if (n.op != OpKind::Conv || skip.count(n.name) || n.weight.dtype() != DType::f32 || n.weight.rank() != 4) continue;
    const bool dw = n.is_depthwise_conv();
    if (n.window.groups != 1 && !dw) continue;
    GptqLayer layer;
    layer.name = n.name;
    layer.dim = n.weight.dim(1) * n.weight.dim(2) * n.weight.dim(3);
    if (layer.dim > options.max_dim) {
      layer.why_not = "more than " + std::to_string(options.max_dim) + " inputs per output channel";
      result.layers.push_back(layer);
      continue;
    }
    LayerStats st;
    st.node = i;
    st.layer = result.layers.size();
    st.dim = layer.dim;
    st.depthwise = dw;
    st.h.assign(static_cast<size_t>(dw ? n.weight.dim(0) * layer.dim * layer.dim : layer.dim * layer.dim), 0.0);
    by_value[static_cast<size_t>(n.inputs[0])].push_back(stats.size());
    stats.push_back(std::move(st));
    result.layers.push_back(layer);
  }
  if (stats.empty()) return result;

  ExecOptions eo;
  eo.threads = options.threads;
  auto exec = make_executor(graph, options.backend, eo);
  for (size_t k = 0; k < inputs.count; ++k) {
    auto feed = [&](int value, const Tensor& t) {
      for (size_t s : by_value[static_cast<size_t>(value)])
        accumulate(stats[s], graph.nodes[stats[s].node], t, options.positions_per_image,
                   static_cast<uint32_t>(7919 * k + s), team(options.threads));
    };
    const Tensor input = inputs.get(k);
    feed(graph.input, input);
    const NodeObserver observe = [&](const Node& n, const Tensor& t) { feed(n.output, t); };
    exec->run(input, &observe);
    if (progress) progress("gptq: input statistics", k + 1, inputs.count);
  }

  size_t done = 0;
  for (LayerStats& st : stats) {
    GptqLayer& layer = result.layers[st.layer];
    const Node& n = graph.nodes[st.node];
    QuantizedWeight qw = quantize_weight_per_oc(n);  // RTN: the scales, and the integers to compare with
    const int64_t rows = n.weight.dim(0), d = st.dim;
    std::vector<double> w(n.weight.data<float>(), n.weight.data<float>() + rows * d);
    std::vector<int8_t> rtn(qw.weight.data<int8_t>(), qw.weight.data<int8_t>() + rows * d);
    // A dead channel (scale 1, all q = 0 in RTN) stays zero: gptq_round_rows leaves rows of scale 0 at 0.
    std::vector<float> scales = qw.scales;
    for (int64_t r = 0; r < rows; ++r)
      if (std::all_of(rtn.begin() + r * d, rtn.begin() + (r + 1) * d, [](int8_t v) { return v == 0; })) scales[r] = 0;
    std::vector<int8_t> q;
    const double norm = 1.0 / static_cast<double>(std::max<int64_t>(1, st.samples));
    symmetrize(st.h, d);
    if (st.depthwise) {
      q.resize(static_cast<size_t>(rows * d));
      for (int64_t c = 0; c < rows; ++c) {
        const std::vector<double> wc(w.begin() + c * d, w.begin() + (c + 1) * d);
        const std::vector<double> hc(st.h.begin() + c * d * d, st.h.begin() + (c + 1) * d * d);
        const std::vector<float> sc{scales[c]};
        const std::vector<int8_t> qc = gptq_round_rows(wc, 1, d, hc, sc, options.damp, options.threads);
        std::copy(qc.begin(), qc.end(), q.begin() + c * d);
        const std::vector<int8_t> rc(rtn.begin() + c * d, rtn.begin() + (c + 1) * d);
        layer.rtn_error += layer_output_error(wc, rc, 1, d, hc, sc) * norm;
        layer.gptq_error += layer_output_error(wc, qc, 1, d, hc, sc) * norm;
      }
    } else {
      q = gptq_round_rows(w, rows, d, st.h, scales, options.damp, options.threads);
      layer.rtn_error = layer_output_error(w, rtn, rows, d, st.h, scales) * norm;
      layer.gptq_error = layer_output_error(w, q, rows, d, st.h, scales) * norm;
    }
    for (size_t i = 0; i < q.size(); ++i) layer.changed += q[i] != rtn[i];
    std::copy(q.begin(), q.end(), qw.weight.data<int8_t>());
    layer.rounded = true;
    result.weights.emplace(layer.name, std::move(qw));
    st.h = {};
    if (progress) progress("gptq: rounding", ++done, stats.size());
  }
  return result;
}

}  // namespace textq::quant
