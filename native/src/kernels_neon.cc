// NEON kernels for aarch64 (Raspberry Pi 4/5). Advanced SIMD is mandatory on aarch64, so no run-time check.
#include "kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace gymdsp {
namespace {

int64_t dot_neon(const int16_t* x, const int16_t* hi, const int16_t* lo, int k) {
  int32x4_t ah0 = vdupq_n_s32(0), ah1 = vdupq_n_s32(0);
  int32x4_t al0 = vdupq_n_s32(0), al1 = vdupq_n_s32(0);
  for (int j = 0; j < k; j += 8) {
    const int16x8_t xv = vld1q_s16(x + j);
    const int16x8_t hv = vld1q_s16(hi + j);
    const int16x8_t lv = vld1q_s16(lo + j);
    ah0 = vmlal_s16(ah0, vget_low_s16(xv), vget_low_s16(hv));
    ah1 = vmlal_high_s16(ah1, xv, hv);
    al0 = vmlal_s16(al0, vget_low_s16(xv), vget_low_s16(lv));
    al1 = vmlal_high_s16(al1, xv, lv);
  }
  const int32_t sh = vaddvq_s32(vaddq_s32(ah0, ah1));
  const int32_t sl = vaddvq_s32(vaddq_s32(al0, al1));
  return (int64_t)sh * 128 + sl;
}

void dot4_neon(const int16_t* x, int stride, const int16_t* hi, const int16_t* lo, int k, int16_t* out) {
  int32x4_t h[4], l[4];
  for (int i = 0; i < 4; i++) h[i] = l[i] = vdupq_n_s32(0);
  for (int j = 0; j < k; j += 8) {
    const int16x8_t hv = vld1q_s16(hi + j);
    const int16x8_t lv = vld1q_s16(lo + j);
    for (int i = 0; i < 4; i++) {
      const int16x8_t xv = vld1q_s16(x + i * stride + j);
      h[i] = vmlal_high_s16(vmlal_s16(h[i], vget_low_s16(xv), vget_low_s16(hv)), xv, hv);
      l[i] = vmlal_high_s16(vmlal_s16(l[i], vget_low_s16(xv), vget_low_s16(lv)), xv, lv);
    }
  }
  for (int i = 0; i < 4; i++) out[i] = finish_sample((int64_t)vaddvq_s32(h[i]) * 128 + vaddvq_s32(l[i]));
}

size_t resample_neon(const ResampleArgs& a, int64_t* pos, int16_t* out) {
  return resample_loop<dot_neon, dot4_neon>(a, pos, out);
}

inline uint8x8_t ulaw8_neon(int16x8_t x) {
  const uint16x8_t neg = vcltzq_s16(x);
  const uint16x8_t mag = vreinterpretq_u16_s16(vabsq_s16(x));  // abs(-32768) wraps to 32768 as u16
  const uint16x8_t v = vminq_u16(vaddq_u16(mag, vdupq_n_u16(0x84)), vdupq_n_u16(32635));
  const uint16x8_t e = vsubq_u16(vdupq_n_u16(8), vclzq_u16(v));  // v in [132, 32635] => e in [0, 7]
  const int16x8_t shift = vnegq_s16(vreinterpretq_s16_u16(vaddq_u16(e, vdupq_n_u16(3))));
  const uint16x8_t mant = vandq_u16(vshlq_u16(v, shift), vdupq_n_u16(0x0F));
  const uint16x8_t code = vorrq_u16(vorrq_u16(vandq_u16(neg, vdupq_n_u16(0x80)), vshlq_n_u16(e, 4)), mant);
  return vmovn_u16(veorq_u16(code, vdupq_n_u16(0xFF)));
}

void ulaw_encode_neon(const int16_t* in, uint8_t* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint8x8_t a = ulaw8_neon(vld1q_s16(in + i));
    const uint8x8_t b = ulaw8_neon(vld1q_s16(in + i + 8));
    vst1q_u8(out + i, vcombine_u8(a, b));
  }
  for (; i < n; i++) out[i] = ulaw_encode_sample(in[i]);
}

const Kernels kNeon = {"neon", resample_neon, ulaw_encode_neon, frame_sums_neon};
}  // namespace

const Kernels* neon_kernels() { return &kNeon; }
}  // namespace gymdsp

#else
namespace gymdsp {
const Kernels* neon_kernels() { return nullptr; }
}  // namespace gymdsp
#endif
