// NumPy 1.24 npysort/quicksort.cpp (aquicksort_) and umath loops.c.src
// (pairwise_sum) behaviour, written from the description in
// docs/textsnake_decoder.md; the goldens in tests/unit/textdet come from NumPy.
#include "textdet/numpy_compat.h"

#include <algorithm>
#include <cmath>
#include <utility>


namespace textq {
namespace {

// NumPy's DOUBLE_LT: NaN is larger than everything else.
inline bool less_nan_last(double a, double b) {
  return a < b || (b != b && a == a);
}

// NumPy's indirect heapsort on idx[0..n-1] (used when the depth budget runs out).
void heapsort_indirect(const double* v, int64_t* idx, int64_t n) {
  int64_t* a = idx - 1;  // 1-based view
  for (int64_t l = n >> 1; l > 0; --l) {
    int64_t tmp = a[l];
    int64_t i = l, j = l << 1;
    while (j <= n) {
      if (j < n && less_nan_last(v[a[j]], v[a[j + 1]])) ++j;
      if (less_nan_last(v[tmp], v[a[j]])) {
        a[i] = a[j];
        i = j;
        j += j;
      } else {
        break;
      }
    }
    a[i] = tmp;
  }
  for (; n > 1;) {
    int64_t tmp = a[n];
    a[n] = a[1];
    --n;
    int64_t i = 1, j = 2;
    while (j <= n) {
      if (j < n && less_nan_last(v[a[j]], v[a[j + 1]])) ++j;
      if (less_nan_last(v[tmp], v[a[j]])) {
        a[i] = a[j];
        i = j;
        j += j;
      } else {
        break;
      }
    }
    a[i] = tmp;
  }
}

constexpr int64_t kSmallQuicksort = 15;

}  // namespace

std::vector<int64_t> numpy_argsort_f64(const std::vector<double>& values) {
  const int64_t num = static_cast<int64_t>(values.size());
  std::vector<int64_t> ts(values.size());
  for (int64_t i = 0; i < num; ++i) ts[i] = i;
  if (num < 2) return ts;
  const double* v = values.data();
  int64_t* t = ts.data();

  struct Range { int64_t lo, hi; int depth; };
  std::vector<Range> stack;
  int cdepth = 0;
  for (int64_t m = num; m > 1; m >>= 1) cdepth += 2;  // 2 * floor(log2(num))
  int64_t pl = 0, pr = num - 1;
  for (;;) {
    if (cdepth < 0) {
      heapsort_indirect(v, t + pl, pr - pl + 1);
    } else {
      while (pr - pl > kSmallQuicksort) {
        const int64_t pm = pl + ((pr - pl) >> 1);
        // median of three
        if (less_nan_last(v[t[pm]], v[t[pl]])) std::swap(t[pm], t[pl]);
        if (less_nan_last(v[t[pr]], v[t[pm]])) std::swap(t[pr], t[pm]);
        if (less_nan_last(v[t[pm]], v[t[pl]])) std::swap(t[pm], t[pl]);
        const double vp = v[t[pm]];
        int64_t pi = pl, pj = pr - 1;
        std::swap(t[pm], t[pj]);
        for (;;) {
          do ++pi; while (less_nan_last(v[t[pi]], vp));
          do --pj; while (less_nan_last(vp, v[t[pj]]));
          if (pi >= pj) break;
          std::swap(t[pi], t[pj]);
        }
        std::swap(t[pi], t[pr - 1]);
        // push the larger partition, continue with the smaller one
        if (pi - pl < pr - pi) {
          stack.push_back({pi + 1, pr, 0});
          pr = pi - 1;
        } else {
          stack.push_back({pl, pi - 1, 0});
          pl = pi + 1;
        }
        stack.back().depth = --cdepth;
      }
      // insertion sort of the small remainder
      for (int64_t i = pl + 1; i <= pr; ++i) {
        const int64_t vi = t[i];
        const double key = v[vi];
        int64_t j = i;
        while (j > pl && less_nan_last(key, v[t[j - 1]])) {
          t[j] = t[j - 1];
          --j;
        }
        t[j] = vi;
      }
    }
    if (stack.empty()) break;
    pl = stack.back().lo;
    pr = stack.back().hi;
    cdepth = stack.back().depth;
    stack.pop_back();
  }
  return ts;
}

namespace {

// NumPy's pairwise summation of one block (8 partial sums, unrolled).
float pairwise_sum_f32(const float* a, size_t n) {
  if (n < 8) {
    float res = 0.0f;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    float r[8];
    for (int k = 0; k < 8; ++k) r[k] = a[k];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int k = 0; k < 8; ++k) r[k] += a[i + k];
    }
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum_f32(a, n2) + pairwise_sum_f32(a + n2, n - n2);
}

}  // namespace

float numpy_pairwise_sum_f32(const float* data, size_t n) { return pairwise_sum_f32(data, n); }

float numpy_sum_f32(const float* data, size_t n) {
  float acc = 0.0f;
  for (size_t start = 0; start < n; start += kNumpySumBlock) {
    const size_t len = std::min(kNumpySumBlock, n - start);
    acc += pairwise_sum_f32(data + start, len);
  }
  return acc;
}

}  // namespace textq
