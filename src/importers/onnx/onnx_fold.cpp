// Constant folding: a node whose inputs are all constants and whose op is in
// the list below is evaluated at import time (shape arithmetic, reshaped
// weights, scales computed by the exporter). Results are capped at 2^24
// elements so a hostile chain cannot blow up memory.
#include <cmath>
#include <cstdint>

#include "importers/onnx/onnx_importer.h"

namespace textq::onnx_import {

namespace {

constexpr int64_t kMaxFolded = int64_t(1) << 24;

int64_t norm_axis(int64_t axis, int64_t rank, const Importer& im) {
  if (axis < -rank || axis >= rank)
    im.fail("axis " + std::to_string(axis) + " is outside [-" + std::to_string(rank) + ", " + std::to_string(rank) + ")");
  return axis < 0 ? axis + rank : axis;
}

ConstTensor make_like(const ConstTensor& src, Shape dims) {
  ConstTensor c;
  c.is_int = src.is_int;
  c.dims = std::move(dims);
  return c;
}

void push(ConstTensor& dst, const ConstTensor& src, int64_t k) {
  if (dst.is_int) dst.i.push_back(src.int_at(k));
  else dst.f.push_back(static_cast<float>(src.at(k)));
}

}  // namespace

bool Importer::fold_constant() {
  const std::string& op = node_->op_type();
  static const char* const kFoldable[] = {"Identity", "Cast", "Shape", "Unsqueeze", "Squeeze", "Concat", "Gather",
                                          "Reshape", "Flatten", "Add", "Sub", "Mul", "Div", "Slice", "Floor", "Ceil"};
  bool foldable = false;
  for (const char* f : kFoldable) foldable = foldable || op == f;
  if (!foldable || node_->input_size() == 0) return false;
  for (int k = 0; k < node_->input_size(); ++k)
    if (has_input(k) && !is_const(k)) return false;
  if (!has_input(0)) fail("input 0 is missing");
  require_outputs(1);
  const ConstTensor& x = const_input(0);
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  ConstTensor out;

  if (op == "Identity") {
    out = x;
  } else if (op == "Cast") {
    const int64_t to = attr_int("to", 1);
    const bool to_float = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE || to == onnx::TensorProto::FLOAT16;
    out = make_like(x, x.dims);
    out.is_int = !to_float;
    for (int64_t k = 0; k < x.numel(); ++k) push(out, x, k);
  } else if (op == "Shape") {
    out.is_int = true;
    out.dims = {rank};
    out.i.assign(x.dims.begin(), x.dims.end());
  } else if (op == "Floor" || op == "Ceil") {
    out = make_like(x, x.dims);
    for (int64_t k = 0; k < x.numel(); ++k)
      if (out.is_int) out.i.push_back(x.i[static_cast<size_t>(k)]);
      else out.f.push_back(op == "Floor" ? std::floor(x.f[static_cast<size_t>(k)]) : std::ceil(x.f[static_cast<size_t>(k)]));
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<int64_t> axes = attr_ints("axes");
    if (has_input(1)) {
      const ConstTensor& a = const_input(1);
      axes.clear();
      for (int64_t k = 0; k < a.numel(); ++k) axes.push_back(a.int_at(k));
    }
    out = x;
    if (op == "Unsqueeze") {
      const int64_t new_rank = rank + static_cast<int64_t>(axes.size());
      std::vector<bool> is_new(static_cast<size_t>(new_rank), false);
      if (new_rank > 16) fail("rank above 16");
      for (int64_t a : axes) {
        const size_t at = static_cast<size_t>(norm_axis(a, new_rank, *this));
        if (is_new[at]) fail("axis " + std::to_string(a) + " is given twice");
        is_new[at] = true;
      }
      out.dims.clear();
      size_t j = 0;
      for (int64_t k = 0; k < new_rank; ++k) out.dims.push_back(is_new[static_cast<size_t>(k)] ? 1 : x.dims.at(j++));
    } else {
      std::vector<bool> drop(static_cast<size_t>(rank), false);
      for (int64_t a : axes) drop[static_cast<size_t>(norm_axis(a, rank, *this))] = true;
      out.dims.clear();
      for (int64_t k = 0; k < rank; ++k) {
        const bool d = axes.empty() ? x.dims[static_cast<size_t>(k)] == 1 : drop[static_cast<size_t>(k)];
        if (d && x.dims[static_cast<size_t>(k)] != 1) fail("cannot squeeze axis " + std::to_string(k) + " of size " + std::to_string(x.dims[static_cast<size_t>(k)]));
        if (!d) out.dims.push_back(x.dims[static_cast<size_t>(k)]);
      }
    }
  } else if (op == "Reshape" || op == "Flatten") {
    Shape dims;
    if (op == "Flatten") {
      const int64_t axis = attr_int("axis", 1);
      const int64_t a = axis == rank ? rank : norm_axis(axis, rank, *this);
      int64_t outer = 1;
      for (int64_t k = 0; k < a; ++k) outer *= x.dims[static_cast<size_t>(k)];
      dims = {outer, outer == 0 ? 0 : x.numel() / outer};
    } else {
      const ConstTensor& s = const_input(1);
      if (s.dims.size() != 1 || s.numel() > 8) fail("shape must be a 1-D tensor of at most 8 entries");
      int64_t known = 1, infer = -1;
      for (int64_t k = 0; k < s.numel(); ++k) {
        int64_t d = s.int_at(k);
        if (d == 0 && attr_int("allowzero", 0) == 0) {
          if (k >= rank) fail("shape entry 0 at " + std::to_string(k) + " copies a dimension the input does not have");
          d = x.dims[static_cast<size_t>(k)];
        }
        if (d == -1) {
          if (infer >= 0) fail("shape has two -1 entries");
          infer = k;
          d = 1;
        } else if (d < 0) {
          fail("shape entry " + std::to_string(d) + " is negative");
        }
        dims.push_back(d);
        if (d > kMaxFolded || (d > 0 && known > kMaxFolded)) fail("shape is too large");
        known *= d;
      }
      if (infer >= 0) {
        if (known == 0 || x.numel() % known != 0) fail("cannot infer the -1 entry of the shape");
        dims[static_cast<size_t>(infer)] = x.numel() / known;
      }
    }
    if (shape_numel(dims) != x.numel()) fail("reshape from " + shape_str(x.dims) + " to " + shape_str(dims) + " changes the element count");
    out = x;
    out.dims = dims;
  } else if (op == "Concat") {
    const int64_t axis = norm_axis(attr_int("axis", 0), rank, *this);
    Shape dims = x.dims;
    dims[static_cast<size_t>(axis)] = 0;
    std::vector<const ConstTensor*> parts;
    for (int k = 0; k < node_->input_size(); ++k) {
      if (!has_input(k)) continue;
      const ConstTensor& p = const_input(k);
      if (p.dims.size() != x.dims.size()) fail("inputs have different ranks");
      for (size_t d = 0; d < p.dims.size(); ++d)
        if (static_cast<int64_t>(d) != axis && p.dims[d] != x.dims[d]) fail("inputs differ outside the concat axis");
      dims[static_cast<size_t>(axis)] += p.dims[static_cast<size_t>(axis)];
      parts.push_back(&p);
    }
    if (shape_numel(dims) > kMaxFolded) fail("folded concat above 2^24 elements");
    out = make_like(x, dims);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= dims[static_cast<size_t>(d)];
    for (int64_t d = axis + 1; d < rank; ++d) inner *= dims[static_cast<size_t>(d)];
    for (int64_t o = 0; o < outer; ++o)
      for (const ConstTensor* p : parts) {
        const int64_t block = p->dims[static_cast<size_t>(axis)] * inner;
        for (int64_t k = 0; k < block; ++k) push(out, *p, o * block + k);
      }
  } else if (op == "Gather") {
    const ConstTensor& idx = const_input(1);
    const int64_t axis = norm_axis(attr_int("axis", 0), rank, *this);
    if (rank != 1 || axis != 0 || idx.dims.size() > 1) fail("folding Gather needs 1-D data and scalar or 1-D indices", ErrorKind::UnsupportedModel);
    out = make_like(x, idx.dims);
    for (int64_t k = 0; k < idx.numel(); ++k) {
      int64_t j = idx.int_at(k);
      if (j < -x.numel() || j >= x.numel()) fail("index " + std::to_string(j) + " is out of range for " + shape_str(x.dims));
      push(out, x, j < 0 ? j + x.numel() : j);
    }
  } else if (op == "Slice") {
    if (rank != 1) fail("folding Slice needs 1-D data", ErrorKind::UnsupportedModel);
    int64_t start = 0, end = 0, step = 1;
    auto first = [&](int k, const char* name, int64_t dflt) {
      if (opset_ < 10) {
        const std::vector<int64_t> v = attr_ints(name);
        return v.empty() ? dflt : v[0];
      }
      if (!has_input(k)) return dflt;
      const ConstTensor& c = const_input(k);
      if (c.numel() != 1) fail(std::string(name) + " must have one entry for 1-D data");
      return c.int_at(0);
    };
    start = first(1, "starts", 0), end = first(2, "ends", x.numel()), step = first(4, "steps", 1);
    if (first(3, "axes", 0) != 0 && first(3, "axes", 0) != -1) fail("axes must be 0 for 1-D data");
    if (step == 0) fail("step 0");
    const int64_t n = x.numel();
    auto clampi = [&](int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); };
    if (start < 0) start += n;
    if (end < 0) end += n;
    out = make_like(x, {0});
    if (step > 0) {
      start = clampi(start, 0, n), end = clampi(end, 0, n);
      for (int64_t k = start; k < end; k += step) push(out, x, k);
    } else {
      start = clampi(start, -1, n - 1), end = clampi(end, -1, n - 1);
      for (int64_t k = start; k > end; k += step) push(out, x, k);
    }
    out.dims = {static_cast<int64_t>(out.is_int ? out.i.size() : out.f.size())};
  } else {  // Add Sub Mul Div: same shape, or one side with a single element
    const ConstTensor& y = const_input(1);
    if (x.dims != y.dims && x.numel() != 1 && y.numel() != 1)
      fail("folding " + op + " of " + shape_str(x.dims) + " and " + shape_str(y.dims) + ": only equal shapes or a scalar side", ErrorKind::UnsupportedModel);
    const ConstTensor& big = x.numel() >= y.numel() ? x : y;
    out = make_like(big, big.dims);
    out.is_int = x.is_int && y.is_int;
    for (int64_t k = 0; k < big.numel(); ++k) {
      const int64_t kx = x.numel() == 1 ? 0 : k, ky = y.numel() == 1 ? 0 : k;
      if (out.is_int) {
        const int64_t a = x.i[static_cast<size_t>(kx)], b = y.i[static_cast<size_t>(ky)];
        int64_t r = 0;
        bool overflow = false;
        if (op == "Add") overflow = __builtin_add_overflow(a, b, &r);
        else if (op == "Sub") overflow = __builtin_sub_overflow(a, b, &r);
        else if (op == "Mul") overflow = __builtin_mul_overflow(a, b, &r);
        else if (b == 0 || (a == INT64_MIN && b == -1)) fail("integer division by zero or overflow");
        else r = a / b;
        if (overflow) fail("integer " + op + " overflows");
        out.i.push_back(r);
      } else {
        const float a = static_cast<float>(x.at(kx)), b = static_cast<float>(y.at(ky));
        out.f.push_back(op == "Add" ? a + b : op == "Sub" ? a - b : op == "Mul" ? a * b : a / b);
      }
    }
  }
  if (out.numel() > kMaxFolded) fail("folded constant above 2^24 elements");
  set_const_output(std::move(out));
  return true;
}

}  // namespace textq::onnx_import
