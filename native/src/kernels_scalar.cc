// Portable scalar kernels. Vectorisation is disabled for these functions on GCC so that "scalar" really
// means one sample at a time; the SIMD kernels are compared against them in the tests.
#include "kernels.h"

#if defined(__GNUC__) && !defined(__clang__)
#define GYMDSP_NO_VEC __attribute__((optimize("no-tree-vectorize")))
#else
#define GYMDSP_NO_VEC
#endif

namespace gymdsp {

namespace {
const uint8_t kExponent[256] = {
    0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

GYMDSP_NO_VEC int64_t dot_scalar(const int16_t* x, const int16_t* hi, const int16_t* lo, int k) {
  int32_t accHi = 0;
  int32_t accLo = 0;
  for (int j = 0; j < k; j++) {
    accHi += (int32_t)x[j] * hi[j];
    accLo += (int32_t)x[j] * lo[j];
  }
  return (int64_t)accHi * 128 + accLo;
}

GYMDSP_NO_VEC size_t resample_scalar(const ResampleArgs& a, int64_t* pos, int16_t* out) {
  return resample_loop<dot_scalar>(a, pos, out);
}

GYMDSP_NO_VEC void ulaw_encode_scalar(const int16_t* in, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = ulaw_encode_sample(in[i]);
}

// The definition of the frame sums: every other kernel must give exactly these integers.
GYMDSP_NO_VEC void frame_sums_scalar(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s) {
  int64_t energy = 0, crossings = 0, band = 0, same = 0;
  for (size_t i = 0; i < n; i++) energy += (int64_t)x[i] * x[i];
  for (size_t i = 1; i < n; i++) crossings += (x[i - 1] < 0) != (x[i] < 0);
  for (size_t i = kBandTaps - 1; i < n; i++) {
    const int64_t y = band_output(x + i, f);
    band += y * y;
    same += (int64_t)x[i] * x[i];
  }
  s->energy = energy;
  s->band = band;
  s->same = same;
  s->crossings = crossings;
}

const Kernels kScalar = {"scalar", resample_scalar, ulaw_encode_scalar, frame_sums_scalar};
}  // namespace

// The classic 16-bit encoder (Sun g711.c linear2ulaw, CCITT bias 0x84, as in alawmulaw): sign-magnitude,
// so negative inputs are not floored first (that floor is where Python's audioop differs).
uint8_t ulaw_encode_sample(int16_t pcm) {
  int s = pcm;
  const int sign = (s >> 8) & 0x80;
  if (sign != 0) s = -s;
  s += 0x84;
  if (s > 32635) s = 32635;
  const int exponent = kExponent[(s >> 7) & 0xFF];
  const int mantissa = (s >> (exponent + 3)) & 0x0F;
  return (uint8_t)~(sign | (exponent << 4) | mantissa);
}

// G.711 decode table (bias-removed magnitudes, sign from bit 7 of the complemented code).
const int16_t kUlawDecode[256] = {
#define GYMDSP_U(c)                                                                                 \
  (int16_t)(((~(c)) & 0x80) ? -((((((~(c)) & 0x0F) << 3) + 0x84) << (((~(c)) >> 4) & 7)) - 0x84) \
                            : (((((~(c)) & 0x0F) << 3) + 0x84) << (((~(c)) >> 4) & 7)) - 0x84)
#define GYMDSP_U4(c) GYMDSP_U(c), GYMDSP_U(c + 1), GYMDSP_U(c + 2), GYMDSP_U(c + 3)
#define GYMDSP_U16(c) GYMDSP_U4(c), GYMDSP_U4(c + 4), GYMDSP_U4(c + 8), GYMDSP_U4(c + 12)
    GYMDSP_U16(0),   GYMDSP_U16(16),  GYMDSP_U16(32),  GYMDSP_U16(48),  GYMDSP_U16(64),  GYMDSP_U16(80),
    GYMDSP_U16(96),  GYMDSP_U16(112), GYMDSP_U16(128), GYMDSP_U16(144), GYMDSP_U16(160), GYMDSP_U16(176),
    GYMDSP_U16(192), GYMDSP_U16(208), GYMDSP_U16(224), GYMDSP_U16(240)
#undef GYMDSP_U16
#undef GYMDSP_U4
#undef GYMDSP_U
};

const Kernels& scalar_kernels() { return kScalar; }

}  // namespace gymdsp
