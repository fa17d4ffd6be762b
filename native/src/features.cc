#include "features.h"

#include <cmath>

#include "design.h"
#include "kernels.h"

namespace gymdsp {

namespace {
constexpr double kFullScaleSq = 32768.0 * 32768.0;
constexpr float kFloorDb = -120.0f;
}  // namespace

const BandFilter& band_filter() {
  static const BandFilter f = [] {
    const std::vector<int16_t>& t = speech_band_taps();
    BandFilter b{};
    for (int j = 0; j < kBandTaps; j++) {
      b.taps[j] = t[(size_t)j];
      b.absSum += t[(size_t)j] < 0 ? -t[(size_t)j] : t[(size_t)j];
    }
    b.taps[31] = 0;
    for (int p = 0; p < 16; p++) {
      b.pairs[p] = (int32_t)((uint32_t)(uint16_t)b.taps[2 * p] | ((uint32_t)(uint16_t)b.taps[2 * p + 1] << 16));
    }
    return b;
  }();
  return f;
}

size_t frame_features(const int16_t* pcm, size_t n, size_t frame, float* out) {
  static_assert(kBandTaps == 31, "the SIMD kernels are written for the 31-tap filter");
  const BandFilter& bf = band_filter();
  const Kernels& k = active_kernels();
  const size_t frames = frame == 0 ? 0 : n / frame;
  for (size_t f = 0; f < frames; f++) {
    FrameSums s;
    k.frame_sums(pcm + f * frame, frame, bf, &s);
    // The only floating-point step, shared by every kernel: exact integers in (each < 2^53, so exact as
    // doubles), IEEE divisions and log10_det (no libm), so the floats are the same on every machine and in the
    // TS reference, which does the same operations in the same order.
    float* o = out + 3 * f;
    o[0] = s.energy == 0 ? kFloorDb
                         : (float)std::fmax((double)kFloorDb,
                                            10.0 * log10_det((double)s.energy / (double)frame / kFullScaleSq));
    o[1] = s.same == 0 ? 0.0f : (float)std::fmin(1.0, (double)s.band / (double)s.same);
    o[2] = frame > 1 ? (float)((double)s.crossings / (double)(frame - 1)) : 0.0f;
  }
  return frames;
}

}  // namespace gymdsp
