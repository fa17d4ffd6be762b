// SSE2 (baseline on every x86-64) and AVX2 kernels. AVX2 functions carry a target attribute so the rest of
// the addon is built for baseline x86-64 and the AVX2 path is only taken after a CPUID check.
#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

// GCC 12's partial-redundancy elimination makes the accumulator loops copy every accumulator once per
// iteration (8 extra vmovdqa in a 29-instruction loop of dot4_avx2, seen with objdump and callgrind); the
// loops here are front-end bound, so it is switched off for this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-pre")
#endif

#define GYMDSP_AVX2 __attribute__((target("avx2")))

namespace gymdsp {
namespace {

// ---- SSE2 ----
int64_t dot_sse2(const int16_t* x, const int16_t* hi, const int16_t* lo, int k) {
  __m128i ah = _mm_setzero_si128();
  __m128i al = _mm_setzero_si128();
  for (int j = 0; j < k; j += 8) {
    const __m128i xv = _mm_loadu_si128((const __m128i*)(x + j));
    ah = _mm_add_epi32(ah, _mm_madd_epi16(xv, _mm_loadu_si128((const __m128i*)(hi + j))));
    al = _mm_add_epi32(al, _mm_madd_epi16(xv, _mm_loadu_si128((const __m128i*)(lo + j))));
  }
  alignas(16) int32_t h[4];
  alignas(16) int32_t l[4];
  _mm_store_si128((__m128i*)h, ah);
  _mm_store_si128((__m128i*)l, al);
  const int32_t sh = (h[0] + h[1]) + (h[2] + h[3]);
  const int32_t sl = (l[0] + l[1]) + (l[2] + l[3]);
  return (int64_t)sh * 128 + sl;
}

size_t resample_sse2(const ResampleArgs& a, int64_t* pos, int16_t* out) { return resample_loop<dot_sse2>(a, pos, out); }

// Encodes 8 samples into 8 low bytes of a 16-bit vector. v>>(e+3) is done as a high multiply by 2^(13-e)
// because SSE2/AVX2 have no per-lane 16-bit shift.
inline __m128i ulaw8_sse2(__m128i x) {
  const __m128i sign = _mm_srai_epi16(x, 15);
  const __m128i mag = _mm_sub_epi16(_mm_xor_si128(x, sign), sign);  // |-32768| = 32768 as u16
  __m128i v = _mm_adds_epu16(mag, _mm_set1_epi16(0x84));
  v = _mm_sub_epi16(v, _mm_subs_epu16(v, _mm_set1_epi16(32635)));  // unsigned min with the clip level
  __m128i e = _mm_setzero_si128();
  __m128i mult = _mm_set1_epi16(8192);
  for (int k = 1; k <= 7; k++) {
    const __m128i m = _mm_cmpgt_epi16(v, _mm_set1_epi16((short)((1 << (7 + k)) - 1)));
    e = _mm_sub_epi16(e, m);
    mult = _mm_or_si128(_mm_and_si128(m, _mm_set1_epi16((short)(8192 >> k))), _mm_andnot_si128(m, mult));
  }
  const __m128i mant = _mm_and_si128(_mm_mulhi_epu16(v, mult), _mm_set1_epi16(0x0F));
  const __m128i code = _mm_or_si128(_mm_or_si128(_mm_and_si128(sign, _mm_set1_epi16(0x80)), _mm_slli_epi16(e, 4)), mant);
  return _mm_xor_si128(code, _mm_set1_epi16(0xFF));
}

void ulaw_encode_sse2(const int16_t* in, uint8_t* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i a = ulaw8_sse2(_mm_loadu_si128((const __m128i*)(in + i)));
    const __m128i b = ulaw8_sse2(_mm_loadu_si128((const __m128i*)(in + i + 8)));
    _mm_storeu_si128((__m128i*)(out + i), _mm_packus_epi16(a, b));
  }
  for (; i < n; i++) out[i] = ulaw_encode_sample(in[i]);
}

// ---- AVX2 ----

// hi sums of outputs 0..3 in h0..h3 and lo sums in l0..l3 (8 int32 lanes each) -> 4 finished int16 at out.
GYMDSP_AVX2 inline void finish4_avx2(__m256i h0, __m256i h1, __m256i h2, __m256i h3, __m256i l0, __m256i l1,
                                     __m256i l2, __m256i l3, int16_t* out) {
  const __m256i hs = _mm256_hadd_epi32(_mm256_hadd_epi32(h0, h1), _mm256_hadd_epi32(h2, h3));
  const __m256i ls = _mm256_hadd_epi32(_mm256_hadd_epi32(l0, l1), _mm256_hadd_epi32(l2, l3));
  const __m128i H = _mm_add_epi32(_mm256_castsi256_si128(hs), _mm256_extracti128_si256(hs, 1));
  const __m128i Lo = _mm_add_epi32(_mm256_castsi256_si128(ls), _mm256_extracti128_si256(ls, 1));
  const __m128i q = _mm_srai_epi32(_mm_add_epi32(Lo, _mm_set1_epi32(kFinishRound)), 7);
  const __m128i y = _mm_srai_epi32(_mm_add_epi32(H, q), 14);
  _mm_storel_epi64((__m128i*)out, _mm_packs_epi32(y, y));
}
GYMDSP_AVX2 int64_t dot_avx2(const int16_t* x, const int16_t* hi, const int16_t* lo, int k) {
  __m256i ah = _mm256_setzero_si256();
  __m256i al = _mm256_setzero_si256();
  for (int j = 0; j < k; j += 16) {
    const __m256i xv = _mm256_loadu_si256((const __m256i*)(x + j));
    ah = _mm256_add_epi32(ah, _mm256_madd_epi16(xv, _mm256_loadu_si256((const __m256i*)(hi + j))));
    al = _mm256_add_epi32(al, _mm256_madd_epi16(xv, _mm256_loadu_si256((const __m256i*)(lo + j))));
  }
  // Reduce both accumulators together: after the hadds, element 0 holds the hi sum and element 1 the lo sum.
  __m256i s = _mm256_hadd_epi32(ah, al);
  s = _mm256_hadd_epi32(s, s);
  const __m128i r = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  const int32_t sh = _mm_cvtsi128_si32(r);
  const int32_t sl = _mm_extract_epi32(r, 1);
  return (int64_t)sh * 128 + sl;
}

GYMDSP_AVX2 void dot4_avx2(const int16_t* x, int stride, const int16_t* hi, const int16_t* lo, int k, int16_t* out) {
  __m256i h0 = _mm256_setzero_si256(), h1 = h0, h2 = h0, h3 = h0;
  __m256i l0 = h0, l1 = h0, l2 = h0, l3 = h0;
  const int16_t* x1 = x + stride;
  const int16_t* x2 = x + 2 * stride;
  const int16_t* x3 = x + 3 * stride;
  for (int j = 0; j < k; j += 16) {
    const __m256i hv = _mm256_loadu_si256((const __m256i*)(hi + j));
    const __m256i lv = _mm256_loadu_si256((const __m256i*)(lo + j));
    __m256i xv = _mm256_loadu_si256((const __m256i*)(x + j));
    h0 = _mm256_add_epi32(h0, _mm256_madd_epi16(xv, hv));
    l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(xv, lv));
    xv = _mm256_loadu_si256((const __m256i*)(x1 + j));
    h1 = _mm256_add_epi32(h1, _mm256_madd_epi16(xv, hv));
    l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(xv, lv));
    xv = _mm256_loadu_si256((const __m256i*)(x2 + j));
    h2 = _mm256_add_epi32(h2, _mm256_madd_epi16(xv, hv));
    l2 = _mm256_add_epi32(l2, _mm256_madd_epi16(xv, lv));
    xv = _mm256_loadu_si256((const __m256i*)(x3 + j));
    h3 = _mm256_add_epi32(h3, _mm256_madd_epi16(xv, hv));
    l3 = _mm256_add_epi32(l3, _mm256_madd_epi16(xv, lv));
  }
  finish4_avx2(h0, h1, h2, h3, l0, l1, l2, l3, out);
}


// ---- Folding of symmetric filters (plain decimators), AVX2 and VNNI ----
// Prepares the reversed copy of buf and the prefix count of "loud" 16-sample blocks for resample_loop.
GYMDSP_AVX2 bool fold_prep_avx2(const ResampleArgs& a) {
  if (!a.symmetric || a.rev == nullptr || a.loud == nullptr) return false;
  const size_t B = (size_t)a.K - 1 + a.avail;
  const __m256i rev8 = _mm256_setr_epi8(14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1, 14, 15, 12, 13, 10, 11,
                                        8, 9, 6, 7, 4, 5, 2, 3, 0, 1);
  size_t i = 0;
  for (; i + 16 <= B; i += 16) {
    const __m256i v = _mm256_loadu_si256((const __m256i*)(a.buf + B - 16 - i));
    _mm256_storeu_si256((__m256i*)(a.rev + i), _mm256_permute4x64_epi64(_mm256_shuffle_epi8(v, rev8), 0x4E));
  }
  if (i < B) {  // B >= K-1 >= 16: one overlapping vector reverses the oldest samples
    const __m256i v = _mm256_loadu_si256((const __m256i*)a.buf);
    _mm256_storeu_si256((__m256i*)(a.rev + B - 16), _mm256_permute4x64_epi64(_mm256_shuffle_epi8(v, rev8), 0x4E));
  }
  // x in [-16384, 16383] <=> x + 0x4000 keeps its sign bit clear (16-bit wrap-around).
  const __m256i bias = _mm256_set1_epi16(0x4000);
  int32_t count = 0;
  size_t b = 0;
  for (; b * 16 + 16 <= B; b++) {
    a.loud[b] = count;
    const __m256i v = _mm256_add_epi16(_mm256_loadu_si256((const __m256i*)(a.buf + b * 16)), bias);
    count += (_mm256_movemask_epi8(v) & (int)0xAAAAAAAA) != 0;
  }
  if (b * 16 < B) {  // partial last block: an overlapping load also checks some earlier samples (conservative)
    a.loud[b] = count;
    const __m256i v = _mm256_add_epi16(_mm256_loadu_si256((const __m256i*)(a.buf + B - 16)), bias);
    count += (_mm256_movemask_epi8(v) & (int)0xAAAAAAAA) != 0;
    b++;
  }
  a.loud[b] = count;
  return true;
}

// Sums of mirrored pairs (fit int16: the caller checked every sample is in [-16384, 16383]).
#define GYMDSP_FOLD4_BODY(MADD)                                                                   \
  __m256i h0 = _mm256_setzero_si256(), h1 = h0, h2 = h0, h3 = h0;                                 \
  __m256i l0 = h0, l1 = h0, l2 = h0, l3 = h0;                                                     \
  const int half = k / 2;                                                                         \
  const int folded = half & ~15;                                                                  \
  for (int j = 0; j < folded; j += 16) {                                                          \
    const __m256i hv = _mm256_loadu_si256((const __m256i*)(hi + j));                              \
    const __m256i lv = _mm256_loadu_si256((const __m256i*)(lo + j));                              \
    __m256i s = _mm256_add_epi16(_mm256_loadu_si256((const __m256i*)(x + j)),                     \
                                 _mm256_loadu_si256((const __m256i*)(xr + j)));                   \
    MADD(h0, s, hv);                                                                              \
    MADD(l0, s, lv);                                                                              \
    s = _mm256_add_epi16(_mm256_loadu_si256((const __m256i*)(x + stride + j)),                    \
                         _mm256_loadu_si256((const __m256i*)(xr - stride + j)));                  \
    MADD(h1, s, hv);                                                                              \
    MADD(l1, s, lv);                                                                              \
    s = _mm256_add_epi16(_mm256_loadu_si256((const __m256i*)(x + 2 * stride + j)),                \
                         _mm256_loadu_si256((const __m256i*)(xr - 2 * stride + j)));              \
    MADD(h2, s, hv);                                                                              \
    MADD(l2, s, lv);                                                                              \
    s = _mm256_add_epi16(_mm256_loadu_si256((const __m256i*)(x + 3 * stride + j)),                \
                         _mm256_loadu_si256((const __m256i*)(xr - 3 * stride + j)));              \
    MADD(h3, s, hv);                                                                              \
    MADD(l3, s, lv);                                                                              \
  }                                                                                               \
  if (folded != half) { /* half % 16 == 8: the 16 centre taps, unfolded */                        \
    const __m256i hv = _mm256_loadu_si256((const __m256i*)(hi + folded));                         \
    const __m256i lv = _mm256_loadu_si256((const __m256i*)(lo + folded));                         \
    __m256i xv = _mm256_loadu_si256((const __m256i*)(x + folded));                                \
    MADD(h0, xv, hv);                                                                             \
    MADD(l0, xv, lv);                                                                             \
    xv = _mm256_loadu_si256((const __m256i*)(x + stride + folded));                               \
    MADD(h1, xv, hv);                                                                             \
    MADD(l1, xv, lv);                                                                             \
    xv = _mm256_loadu_si256((const __m256i*)(x + 2 * stride + folded));                           \
    MADD(h2, xv, hv);                                                                             \
    MADD(l2, xv, lv);                                                                             \
    xv = _mm256_loadu_si256((const __m256i*)(x + 3 * stride + folded));                           \
    MADD(h3, xv, hv);                                                                             \
    MADD(l3, xv, lv);                                                                             \
  }                                                                                               \
  finish4_avx2(h0, h1, h2, h3, l0, l1, l2, l3, out);

#define GYMDSP_MADD_AVX2(A, X, C) A = _mm256_add_epi32(A, _mm256_madd_epi16(X, C))
GYMDSP_AVX2 void fold4_avx2(const int16_t* x, const int16_t* xr, int stride, const int16_t* hi, const int16_t* lo,
                            int k, int16_t* out) {
  GYMDSP_FOLD4_BODY(GYMDSP_MADD_AVX2)
}

GYMDSP_AVX2 size_t resample_avx2(const ResampleArgs& a, int64_t* pos, int16_t* out) {
  return resample_loop<dot_avx2, dot4_avx2, fold4_avx2, fold_prep_avx2>(a, pos, out);
}

GYMDSP_AVX2 inline __m256i ulaw16_avx2(__m256i x) {
  const __m256i sign = _mm256_srai_epi16(x, 15);
  const __m256i mag = _mm256_sub_epi16(_mm256_xor_si256(x, sign), sign);
  const __m256i v = _mm256_min_epu16(_mm256_adds_epu16(mag, _mm256_set1_epi16(0x84)), _mm256_set1_epi16(32635));
  __m256i e = _mm256_setzero_si256();
  __m256i mult = _mm256_set1_epi16(8192);
  for (int k = 1; k <= 7; k++) {
    const __m256i m = _mm256_cmpgt_epi16(v, _mm256_set1_epi16((short)((1 << (7 + k)) - 1)));
    e = _mm256_sub_epi16(e, m);
    mult = _mm256_blendv_epi8(mult, _mm256_set1_epi16((short)(8192 >> k)), m);
  }
  const __m256i mant = _mm256_and_si256(_mm256_mulhi_epu16(v, mult), _mm256_set1_epi16(0x0F));
  const __m256i code = _mm256_or_si256(
      _mm256_or_si256(_mm256_and_si256(sign, _mm256_set1_epi16(0x80)), _mm256_slli_epi16(e, 4)), mant);
  return _mm256_xor_si256(code, _mm256_set1_epi16(0xFF));
}

GYMDSP_AVX2 void ulaw_encode_avx2(const int16_t* in, uint8_t* out, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i a = ulaw16_avx2(_mm256_loadu_si256((const __m256i*)(in + i)));
    const __m256i b = ulaw16_avx2(_mm256_loadu_si256((const __m256i*)(in + i + 16)));
    // packus works per 128-bit lane; the permute restores sample order.
    _mm256_storeu_si256((__m256i*)(out + i), _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8));
  }
  for (; i < n; i++) out[i] = ulaw_encode_sample(in[i]);
}

// ---- AVX-512 VNNI on 256-bit vectors: vpdpwssd fuses the multiply-add and the accumulate ----
#define GYMDSP_VNNI __attribute__((target("avx2,avx512f,avx512vl,avx512vnni")))

GYMDSP_VNNI int64_t dot_vnni(const int16_t* x, const int16_t* hi, const int16_t* lo, int k) {
  __m256i ah = _mm256_setzero_si256();
  __m256i al = _mm256_setzero_si256();
  for (int j = 0; j < k; j += 16) {
    const __m256i xv = _mm256_loadu_si256((const __m256i*)(x + j));
    ah = _mm256_dpwssd_epi32(ah, xv, _mm256_loadu_si256((const __m256i*)(hi + j)));
    al = _mm256_dpwssd_epi32(al, xv, _mm256_loadu_si256((const __m256i*)(lo + j)));
  }
  __m256i s = _mm256_hadd_epi32(ah, al);
  s = _mm256_hadd_epi32(s, s);
  const __m128i r = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  return (int64_t)_mm_cvtsi128_si32(r) * 128 + _mm_extract_epi32(r, 1);
}

GYMDSP_VNNI void dot4_vnni(const int16_t* x, int stride, const int16_t* hi, const int16_t* lo, int k, int16_t* out) {
  __m256i h0 = _mm256_setzero_si256(), h1 = h0, h2 = h0, h3 = h0;
  __m256i l0 = h0, l1 = h0, l2 = h0, l3 = h0;
  const int16_t* x1 = x + stride;
  const int16_t* x2 = x + 2 * stride;
  const int16_t* x3 = x + 3 * stride;
  for (int j = 0; j < k; j += 16) {
    const __m256i hv = _mm256_loadu_si256((const __m256i*)(hi + j));
    const __m256i lv = _mm256_loadu_si256((const __m256i*)(lo + j));
    __m256i xv = _mm256_loadu_si256((const __m256i*)(x + j));
    h0 = _mm256_dpwssd_epi32(h0, xv, hv);
    l0 = _mm256_dpwssd_epi32(l0, xv, lv);
    xv = _mm256_loadu_si256((const __m256i*)(x1 + j));
    h1 = _mm256_dpwssd_epi32(h1, xv, hv);
    l1 = _mm256_dpwssd_epi32(l1, xv, lv);
    xv = _mm256_loadu_si256((const __m256i*)(x2 + j));
    h2 = _mm256_dpwssd_epi32(h2, xv, hv);
    l2 = _mm256_dpwssd_epi32(l2, xv, lv);
    xv = _mm256_loadu_si256((const __m256i*)(x3 + j));
    h3 = _mm256_dpwssd_epi32(h3, xv, hv);
    l3 = _mm256_dpwssd_epi32(l3, xv, lv);
  }
  finish4_avx2(h0, h1, h2, h3, l0, l1, l2, l3, out);
}

#define GYMDSP_MADD_VNNI(A, X, C) A = _mm256_dpwssd_epi32(A, X, C)
GYMDSP_VNNI void fold4_vnni(const int16_t* x, const int16_t* xr, int stride, const int16_t* hi, const int16_t* lo,
                            int k, int16_t* out) {
  GYMDSP_FOLD4_BODY(GYMDSP_MADD_VNNI)
}

GYMDSP_VNNI size_t resample_vnni(const ResampleArgs& a, int64_t* pos, int16_t* out) {
  return resample_loop<dot_vnni, dot4_vnni, fold4_vnni, fold_prep_avx2>(a, pos, out);
}

const Kernels kSse2 = {"sse2", resample_sse2, ulaw_encode_sse2, frame_sums_sse2};
const Kernels kAvx2 = {"avx2", resample_avx2, ulaw_encode_avx2, frame_sums_avx2};
const Kernels kVnni = {"avx512vnni", resample_vnni, ulaw_encode_avx2, frame_sums_vnni};
}  // namespace

const Kernels* sse2_kernels() { return &kSse2; }
const Kernels* avx2_kernels() { return __builtin_cpu_supports("avx2") ? &kAvx2 : nullptr; }
const Kernels* vnni_kernels() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")
             ? &kVnni
             : nullptr;
}

}  // namespace gymdsp

#else
namespace gymdsp {
const Kernels* sse2_kernels() { return nullptr; }
const Kernels* avx2_kernels() { return nullptr; }
const Kernels* vnni_kernels() { return nullptr; }
}  // namespace gymdsp
#endif
