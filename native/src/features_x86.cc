// SSE2, AVX2 and AVX-512 VNNI kernels of the VAD frame sums (FrameSums in kernels.h). Every sum is an exact
// integer, so any lane split or summation order gives the scalar result bit for bit. Overflow proofs are next
// to each accumulation. Functions above SSE2 carry target attributes (the addon is built for baseline x86-64).
#include <algorithm>

#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#define GYMDSP_AVX2 __attribute__((target("avx2")))
#define GYMDSP_VNNI __attribute__((target("avx2,avx512f,avx512vl,avx512vnni")))

namespace gymdsp {
namespace {

// Outputs of the band filter per block: the block's pair array lives on the stack.
constexpr size_t kBlock = 256;
constexpr size_t kFirst = kBandTaps - 1;  // first fully-overlapped output
// Zero-crossing counters are int16 lanes, widened after at most this many vectors (counts <= 4096 < 2^15).
constexpr size_t kCountRun = 4096;

// Outputs of the next block when `left` remain: at most kBlock, and never leaving fewer than one vector width
// (w) for a last block, whose tail is then one overlapping vector rather than scalar code.
inline size_t block_outputs(size_t left, size_t w) {
  if (left <= kBlock) return left;
  return left - kBlock < w ? kBlock - w : kBlock;
}

// Pair array for pmaddwd: q[m] holds x[k] (low half) and x[k-1] (high half), k = k0 + m, so that
// pmaddwd(q[k - 2p], pairs[p]) = taps[2p]*x[k-2p] + taps[2p+1]*x[k-2p-1]. x[-1] (reached only through the
// zero padding tap, at the first output of the first block) is taken as 0 and never read.
inline int32_t pair_at(const int16_t* x, size_t k) {
  const uint32_t prev = k > 0 ? (uint16_t)x[k - 1] : 0u;
  return (int32_t)((uint32_t)(uint16_t)x[k] | prev << 16);
}

// ---- SSE2 ----
inline int64_t hsum64_sse2(__m128i v) {
  alignas(16) int64_t t[2];
  _mm_store_si128((__m128i*)t, v);
  return t[0] + t[1];
}

inline int32_t hsum32_sse2(__m128i v) {
  alignas(16) int32_t t[4];
  _mm_store_si128((__m128i*)t, v);
  return (t[0] + t[1]) + (t[2] + t[3]);
}

// The lanes l of a vector loaded at x + start (overlapping the end of a loop that stopped at done) that hold
// samples not counted yet: start + l >= done. The tails re-read the last whole vector with the others zeroed.
inline __m128i fresh_lanes_sse2(size_t done, size_t start) {
  return _mm_cmpgt_epi16(_mm_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7), _mm_set1_epi16((short)(done - start - 1)));
}

inline __m128i add_squares16_sse2(__m128i acc, __m128i v) {
  // A pmaddwd lane is x0^2 + x1^2 <= 2^31: two -32768 give exactly 2^31, which overflows int32 but is exact
  // as uint32, so both halves of each 64-bit lane are zero-extended into int64 sums (< n * 2^31, no overflow).
  const __m128i sq = _mm_madd_epi16(v, v);
  acc = _mm_add_epi64(acc, _mm_and_si128(sq, _mm_set1_epi64x(0xFFFFFFFF)));
  return _mm_add_epi64(acc, _mm_srli_epi64(sq, 32));
}

int64_t sumsq_sse2(const int16_t* x, size_t n) {
  __m128i acc = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) acc = add_squares16_sse2(acc, _mm_loadu_si128((const __m128i*)(x + i)));
  if (i < n && n >= 8) {
    const __m128i v = _mm_loadu_si128((const __m128i*)(x + n - 8));
    acc = add_squares16_sse2(acc, _mm_and_si128(v, fresh_lanes_sse2(i, n - 8)));
    i = n;
  }
  return hsum64_sse2(acc) + sumsq_tail(x, i, n);
}

int64_t crossings_sse2(const int16_t* x, size_t n) {
  int64_t c = 0;
  size_t i = 1;
  while (i + 8 <= n) {
    __m128i cnt = _mm_setzero_si128();
    const size_t end = std::min(n, i + 8 * kCountRun);
    for (; i + 8 <= end; i += 8) {
      // The sign bit of x[i] ^ x[i-1] is set exactly when the two signs differ; srai turns it into -1.
      const __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i*)(x + i)),
                                      _mm_loadu_si128((const __m128i*)(x + i - 1)));
      cnt = _mm_sub_epi16(cnt, _mm_srai_epi16(d, 15));
    }
    c += hsum32_sse2(_mm_madd_epi16(cnt, _mm_set1_epi16(1)));
  }
  if (i < n && n >= 9) {
    const size_t start = n - 8;
    const __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i*)(x + start)),
                                    _mm_loadu_si128((const __m128i*)(x + start - 1)));
    const __m128i m = _mm_srai_epi16(_mm_and_si128(d, fresh_lanes_sse2(i, start)), 15);  // -1 per crossing
    c += hsum32_sse2(_mm_madd_epi16(m, _mm_set1_epi16(-1)));
    i = n;
  }
  return c + crossings_tail(x, i, n);
}

void build_pairs_sse2(const int16_t* x, size_t k0, size_t len, int32_t* q) {
  size_t m = 0;
  if (k0 == 0) q[m++] = pair_at(x, 0);
  for (; m + 8 <= len; m += 8) {
    const __m128i a = _mm_loadu_si128((const __m128i*)(x + k0 + m));
    const __m128i b = _mm_loadu_si128((const __m128i*)(x + k0 + m - 1));
    _mm_storeu_si128((__m128i*)(q + m), _mm_unpacklo_epi16(a, b));
    _mm_storeu_si128((__m128i*)(q + m + 4), _mm_unpackhi_epi16(a, b));
  }
  if (m < len && len >= 8 + (k0 == 0)) {  // the last 8 pairs again (same values), never reading x[-1]
    m = len - 8;
    const __m128i a = _mm_loadu_si128((const __m128i*)(x + k0 + m));
    const __m128i b = _mm_loadu_si128((const __m128i*)(x + k0 + m - 1));
    _mm_storeu_si128((__m128i*)(q + m), _mm_unpacklo_epi16(a, b));
    _mm_storeu_si128((__m128i*)(q + m + 4), _mm_unpackhi_epi16(a, b));
    m = len;
  }
  for (; m < len; m++) q[m] = pair_at(x, k0 + m);
}

// y of 4 consecutive outputs; q points at the pair of the newest sample of the first one. Each int32 lane sums
// 32 products taps[j]*x: |partial sum| <= sum|taps| * 2^15 < 2^31 (kernels.h), in any order.
inline __m128i band4_sse2(const int32_t* q, const __m128i* c) {
  __m128i a0 = _mm_setzero_si128();
  __m128i a1 = _mm_setzero_si128();
  for (int p = 0; p < 16; p += 2) {
    a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_loadu_si128((const __m128i*)(q - 2 * p)), c[p]));
    a1 = _mm_add_epi32(a1, _mm_madd_epi16(_mm_loadu_si128((const __m128i*)(q - 2 * p - 2)), c[p + 1]));
  }
  return _mm_srai_epi32(_mm_add_epi32(a0, a1), 15);  // arithmetic shift = the scalar floor
}

// acc (2 x int64) += y^2 for 4 int32 lanes. |y| <= 61673, so |y|^2 < 2^32: pmuludq of |y| is exact.
inline __m128i add_squares_sse2(__m128i acc, __m128i y) {
  const __m128i sgn = _mm_srai_epi32(y, 31);
  const __m128i a = _mm_sub_epi32(_mm_xor_si128(y, sgn), sgn);
  const __m128i odd = _mm_srli_epi64(a, 32);
  acc = _mm_add_epi64(acc, _mm_mul_epu32(a, a));
  return _mm_add_epi64(acc, _mm_mul_epu32(odd, odd));
}

int64_t band_sse2(const int16_t* x, size_t n, const BandFilter& f) {
  __m128i c[16];
  for (int p = 0; p < 16; p++) c[p] = _mm_set1_epi32(f.pairs[p]);
  alignas(16) int32_t q[kBlock + kFirst];
  __m128i acc = _mm_setzero_si128();
  int64_t tail = 0;
  for (size_t s0 = kFirst, cnt = 0; s0 < n; s0 += cnt) {
    cnt = block_outputs(n - s0, 4);
    build_pairs_sse2(x, s0 - kFirst, cnt + kFirst, q);
    size_t o = 0;
    for (; o + 4 <= cnt; o += 4) acc = add_squares_sse2(acc, band4_sse2(q + o + kFirst, c));
    if (o == cnt) continue;
    if (cnt >= 4) {  // the last 4 outputs again, with the lanes already counted zeroed
      const size_t start = cnt - 4;
      const __m128i keep = _mm_cmpgt_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32((int)(o - start) - 1));
      acc = add_squares_sse2(acc, _mm_and_si128(band4_sse2(q + start + kFirst, c), keep));
    } else {
      for (; o < cnt; o++) {
        const int64_t y = band_output(x + s0 + o, f);
        tail += y * y;
      }
    }
  }
  return hsum64_sse2(acc) + tail;
}

// ---- AVX2 (and AVX-512 VNNI for the filter's multiply-accumulate) ----
GYMDSP_AVX2 inline int64_t hsum64_avx2(__m256i v) {
  return hsum64_sse2(_mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

GYMDSP_AVX2 inline int32_t hsum32_avx2(__m256i v) {
  return hsum32_sse2(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

GYMDSP_AVX2 inline __m256i fresh_lanes_avx2(size_t done, size_t start) {  // see fresh_lanes_sse2
  return _mm256_cmpgt_epi16(_mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                            _mm256_set1_epi16((short)(done - start - 1)));
}

GYMDSP_AVX2 inline __m256i add_squares16_avx2(__m256i acc, __m256i v) {
  const __m256i sq = _mm256_madd_epi16(v, v);  // <= 2^31 per lane: exact as uint32 only (add_squares16_sse2)
  acc = _mm256_add_epi64(acc, _mm256_and_si256(sq, _mm256_set1_epi64x(0xFFFFFFFF)));
  return _mm256_add_epi64(acc, _mm256_srli_epi64(sq, 32));
}

GYMDSP_AVX2 int64_t sumsq_avx2(const int16_t* x, size_t n) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) acc = add_squares16_avx2(acc, _mm256_loadu_si256((const __m256i*)(x + i)));
  if (i < n && n >= 16) {
    const __m256i v = _mm256_loadu_si256((const __m256i*)(x + n - 16));
    acc = add_squares16_avx2(acc, _mm256_and_si256(v, fresh_lanes_avx2(i, n - 16)));
    i = n;
  }
  return hsum64_avx2(acc) + sumsq_tail(x, i, n);
}

GYMDSP_AVX2 int64_t crossings_avx2(const int16_t* x, size_t n) {
  int64_t c = 0;
  size_t i = 1;
  while (i + 16 <= n) {
    __m256i cnt = _mm256_setzero_si256();
    const size_t end = std::min(n, i + 16 * kCountRun);
    for (; i + 16 <= end; i += 16) {
      const __m256i d = _mm256_xor_si256(_mm256_loadu_si256((const __m256i*)(x + i)),
                                         _mm256_loadu_si256((const __m256i*)(x + i - 1)));
      cnt = _mm256_sub_epi16(cnt, _mm256_srai_epi16(d, 15));
    }
    c += hsum32_avx2(_mm256_madd_epi16(cnt, _mm256_set1_epi16(1)));
  }
  if (i < n && n >= 17) {
    const size_t start = n - 16;
    const __m256i d = _mm256_xor_si256(_mm256_loadu_si256((const __m256i*)(x + start)),
                                       _mm256_loadu_si256((const __m256i*)(x + start - 1)));
    const __m256i m = _mm256_srai_epi16(_mm256_and_si256(d, fresh_lanes_avx2(i, start)), 15);
    c += hsum32_avx2(_mm256_madd_epi16(m, _mm256_set1_epi16(-1)));
    i = n;
  }
  return c + crossings_tail(x, i, n);
}

// Pairs q[m..m+16) from x[k0+m-1 .. k0+m+16).
GYMDSP_AVX2 inline void pairs16_avx2(const int16_t* x, size_t k0, size_t m, int32_t* q) {
  const __m256i a = _mm256_loadu_si256((const __m256i*)(x + k0 + m));
  const __m256i b = _mm256_loadu_si256((const __m256i*)(x + k0 + m - 1));
  // unpack works per 128-bit lane: lo = pairs 0-3 | 8-11, hi = 4-7 | 12-15.
  const __m256i lo = _mm256_unpacklo_epi16(a, b);
  const __m256i hi = _mm256_unpackhi_epi16(a, b);
  _mm256_storeu_si256((__m256i*)(q + m), _mm256_permute2x128_si256(lo, hi, 0x20));
  _mm256_storeu_si256((__m256i*)(q + m + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
}

GYMDSP_AVX2 void build_pairs_avx2(const int16_t* x, size_t k0, size_t len, int32_t* q) {
  size_t m = 0;
  if (k0 == 0) q[m++] = pair_at(x, 0);
  for (; m + 16 <= len; m += 16) pairs16_avx2(x, k0, m, q);
  if (m < len && len >= 16 + (k0 == 0)) {  // the last 16 pairs again (same values), never reading x[-1]
    pairs16_avx2(x, k0, len - 16, q);
    m = len;
  }
  for (; m < len; m++) q[m] = pair_at(x, k0 + m);
}

// acc (4 x int64) += y^2 for 8 int32 lanes; vpmuldq of the low signed halves, y^2 < 2^32 (see add_squares_sse2).
GYMDSP_AVX2 inline __m256i add_squares_avx2(__m256i acc, __m256i y) {
  const __m256i odd = _mm256_srli_epi64(y, 32);
  acc = _mm256_add_epi64(acc, _mm256_mul_epi32(y, y));
  return _mm256_add_epi64(acc, _mm256_mul_epi32(odd, odd));
}

// y of 8 consecutive outputs (lane order = output order; only the sum of squares is used). The int32 bound is
// that of band4_sse2; vpdpwssd (non-saturating) computes the same lane sums as vpmaddwd + vpaddd.
#define GYMDSP_BAND8(Y, QP, MADD)                                                   \
  do {                                                                              \
    __m256i a0_ = _mm256_setzero_si256(), a1_ = _mm256_setzero_si256();             \
    for (int p = 0; p < 16; p += 2) {                                               \
      MADD(a0_, _mm256_loadu_si256((const __m256i*)((QP) - 2 * p)), c[p]);          \
      MADD(a1_, _mm256_loadu_si256((const __m256i*)((QP) - 2 * p - 2)), c[p + 1]);  \
    }                                                                               \
    Y = _mm256_srai_epi32(_mm256_add_epi32(a0_, a1_), 15);                          \
  } while (0)

#define GYMDSP_BAND_BODY(MADD)                                                                                \
  __m256i c[16];                                                                                              \
  for (int p = 0; p < 16; p++) c[p] = _mm256_set1_epi32(f.pairs[p]);                                          \
  alignas(32) int32_t q[kBlock + kFirst];                                                                     \
  __m256i acc = _mm256_setzero_si256();                                                                       \
  int64_t tail = 0;                                                                                           \
  for (size_t s0 = kFirst, cnt = 0; s0 < n; s0 += cnt) {                                                     \
    cnt = block_outputs(n - s0, 8);                                                                           \
    build_pairs_avx2(x, s0 - kFirst, cnt + kFirst, q);                                                        \
    size_t o = 0;                                                                                             \
    __m256i y;                                                                                                \
    for (; o + 8 <= cnt; o += 8) {                                                                            \
      GYMDSP_BAND8(y, q + o + kFirst, MADD);                                                                  \
      acc = add_squares_avx2(acc, y);                                                                         \
    }                                                                                                         \
    if (o == cnt) continue;                                                                                   \
    if (cnt >= 8) { /* the last 8 outputs again, with the lanes already counted zeroed */                     \
      const size_t start = cnt - 8;                                                                           \
      GYMDSP_BAND8(y, q + start + kFirst, MADD);                                                              \
      const __m256i keep = _mm256_cmpgt_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),                     \
                                              _mm256_set1_epi32((int)(o - start) - 1));                       \
      acc = add_squares_avx2(acc, _mm256_and_si256(y, keep));                                                 \
    } else {                                                                                                  \
      for (; o < cnt; o++) {                                                                                  \
        const int64_t yy = band_output(x + s0 + o, f);                                                        \
        tail += yy * yy;                                                                                      \
      }                                                                                                       \
    }                                                                                                         \
  }                                                                                                           \
  return hsum64_avx2(acc) + tail;

#define GYMDSP_MADD_AVX2(A, X, C) A = _mm256_add_epi32(A, _mm256_madd_epi16(X, C))
#define GYMDSP_MADD_VNNI(A, X, C) A = _mm256_dpwssd_epi32(A, X, C)

GYMDSP_AVX2 int64_t band_avx2(const int16_t* x, size_t n, const BandFilter& f) { GYMDSP_BAND_BODY(GYMDSP_MADD_AVX2) }
GYMDSP_VNNI int64_t band_vnni(const int16_t* x, size_t n, const BandFilter& f) { GYMDSP_BAND_BODY(GYMDSP_MADD_VNNI) }

}  // namespace

// Plain (non-target) instantiations: they only call the AVX2/VNNI parts, after the dispatcher's CPUID check.
void frame_sums_sse2(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s) {
  frame_sums_from<sumsq_sse2, crossings_sse2, band_sse2>(x, n, f, s);
}
void frame_sums_avx2(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s) {
  frame_sums_from<sumsq_avx2, crossings_avx2, band_avx2>(x, n, f, s);
}
void frame_sums_vnni(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s) {
  frame_sums_from<sumsq_avx2, crossings_avx2, band_vnni>(x, n, f, s);
}

}  // namespace gymdsp
#endif
