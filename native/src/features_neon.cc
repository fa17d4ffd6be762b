// NEON kernel of the VAD frame sums (FrameSums in kernels.h) for aarch64. Exact integer sums, so the result is
// the scalar one bit for bit; overflow proofs next to each accumulation.
#include <algorithm>
#include <utility>

#include "kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace gymdsp {
namespace {

constexpr size_t kFirst = kBandTaps - 1;  // first fully-overlapped output
constexpr size_t kCountRun = 4096;        // int16 crossing counters widened after this many vectors

// The lanes l of a vector loaded at x + start (overlapping the end of a loop that stopped at done) that hold
// samples not counted yet: start + l >= done. The tails re-read the last whole vector with the others zeroed.
inline int16x8_t fresh_lanes(size_t done, size_t start) {
  const int16_t lane[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  return vreinterpretq_s16_u16(vcgtq_s16(vld1q_s16(lane), vdupq_n_s16((int16_t)(done - start - 1))));
}

int64_t sumsq_neon(const int16_t* x, size_t n) {
  int64x2_t a0 = vdupq_n_s64(0), a1 = vdupq_n_s64(0);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const int16x8_t v = vld1q_s16(x + i);
    // One square is <= 2^30 (fits int32; two would not: 2 * (-32768)^2 = 2^31), so each widening product is
    // added pairwise straight into int64 lanes.
    a0 = vpadalq_s32(a0, vmull_s16(vget_low_s16(v), vget_low_s16(v)));
    a1 = vpadalq_s32(a1, vmull_high_s16(v, v));
  }
  if (i < n && n >= 8) {
    const int16x8_t v = vandq_s16(vld1q_s16(x + n - 8), fresh_lanes(i, n - 8));
    a0 = vpadalq_s32(a0, vmull_s16(vget_low_s16(v), vget_low_s16(v)));
    a1 = vpadalq_s32(a1, vmull_high_s16(v, v));
    i = n;
  }
  return vaddvq_s64(vaddq_s64(a0, a1)) + sumsq_tail(x, i, n);
}

int64_t crossings_neon(const int16_t* x, size_t n) {
  int64_t c = 0;
  size_t i = 1;
  while (i + 8 <= n) {
    int16x8_t cnt = vdupq_n_s16(0);
    const size_t end = std::min(n, i + 8 * kCountRun);
    for (; i + 8 <= end; i += 8) {
      // Sign bit of x[i] ^ x[i-1] set <=> signs differ; the arithmetic shift makes it -1 (counts <= 4096).
      const int16x8_t d = veorq_s16(vld1q_s16(x + i), vld1q_s16(x + i - 1));
      cnt = vsubq_s16(cnt, vshrq_n_s16(d, 15));
    }
    c += vaddlvq_s16(cnt);
  }
  if (i < n && n >= 9) {
    const size_t start = n - 8;
    const int16x8_t d = veorq_s16(vld1q_s16(x + start), vld1q_s16(x + start - 1));
    c -= vaddlvq_s16(vshrq_n_s16(vandq_s16(d, fresh_lanes(i, start)), 15));  // -1 per new crossing
    i = n;
  }
  return c + crossings_tail(x, i, n);
}

// One tap for 8 consecutive outputs (xi = x + i of the first): a[J&1] (outputs 0-3) and a[2+(J&1)] (4-7) +=
// taps[J] * x[i+l-J]. Two accumulator chains per half hide the multiply-accumulate latency.
template <int J>
inline void band_tap(const int16_t* xi, const int16x8_t* t, int32x4_t* a) {
  const int16x8_t xv = vld1q_s16(xi - J);
  a[J & 1] = vmlal_laneq_s16(a[J & 1], vget_low_s16(xv), t[J / 8], J % 8);
  a[2 + (J & 1)] = vmlal_high_laneq_s16(a[2 + (J & 1)], xv, t[J / 8], J % 8);
}

// y of 8 consecutive outputs. Every lane is a sum of the 31 products taps[j]*x: |partial sum| <= sum|taps| *
// 2^15 < 2^31 (kernels.h), in any order, so the int32 lanes are exact; the arithmetic shift is the scalar floor.
template <int... J>
inline int32x4x2_t band8(const int16_t* xi, const int16x8_t* t, std::integer_sequence<int, J...>) {
  int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  (band_tap<J>(xi, t, a), ...);
  return {{vshrq_n_s32(vaddq_s32(a[0], a[1]), 15), vshrq_n_s32(vaddq_s32(a[2], a[3]), 15)}};
}

// acc += y^2 in int64 lanes: |y| <= 61673, y^2 < 2^32.
inline void add_squares(int64x2_t* acc, int32x4_t y) {
  acc[0] = vmlal_s32(acc[0], vget_low_s32(y), vget_low_s32(y));
  acc[1] = vmlal_high_s32(acc[1], y, y);
}

int64_t band_neon(const int16_t* x, size_t n, const BandFilter& f) {
  const int16x8_t t[4] = {vld1q_s16(f.taps), vld1q_s16(f.taps + 8), vld1q_s16(f.taps + 16), vld1q_s16(f.taps + 24)};
  constexpr auto taps = std::make_integer_sequence<int, kBandTaps>{};
  int64x2_t acc[2] = {vdupq_n_s64(0), vdupq_n_s64(0)};
  const size_t cnt = n - kFirst;
  size_t o = 0;
  for (; o + 8 <= cnt; o += 8) {
    const int32x4x2_t y = band8(x + kFirst + o, t, taps);
    add_squares(acc, y.val[0]);
    add_squares(acc, y.val[1]);
  }
  int64_t tail = 0;
  if (o < cnt && cnt >= 8) {  // the last 8 outputs again, with the lanes already counted zeroed
    const size_t start = cnt - 8;
    const int32x4x2_t y = band8(x + kFirst + start, t, taps);
    const int32_t lane0[4] = {0, 1, 2, 3};
    const int32x4_t l0 = vld1q_s32(lane0);
    const int32x4_t done = vdupq_n_s32((int32_t)(o - start) - 1);
    add_squares(acc, vandq_s32(y.val[0], vreinterpretq_s32_u32(vcgtq_s32(l0, done))));
    add_squares(acc, vandq_s32(y.val[1], vreinterpretq_s32_u32(vcgtq_s32(vaddq_s32(l0, vdupq_n_s32(4)), done))));
  } else {
    for (; o < cnt; o++) {
      const int64_t yy = band_output(x + kFirst + o, f);
      tail += yy * yy;
    }
  }
  return vaddvq_s64(vaddq_s64(acc[0], acc[1])) + tail;
}

}  // namespace

void frame_sums_neon(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s) {
  frame_sums_from<sumsq_neon, crossings_neon, band_neon>(x, n, f, s);
}

}  // namespace gymdsp
#endif
