#include "features.h"

#include <cmath>

#include "design.h"

namespace gymdsp {

namespace {
constexpr double kFullScaleSq = 32768.0 * 32768.0;
constexpr float kFloorDb = -120.0f;
}  // namespace

size_t frame_features(const int16_t* pcm, size_t n, size_t frame, float* out) {
  const std::vector<int16_t>& taps = speech_band_taps();
  const size_t T = taps.size();
  const size_t frames = frame == 0 ? 0 : n / frame;
  for (size_t f = 0; f < frames; f++) {
    const int16_t* x = pcm + f * frame;
    int64_t energy = 0;
    size_t crossings = 0;
    for (size_t i = 0; i < frame; i++) energy += (int64_t)x[i] * x[i];
    for (size_t i = 1; i < frame; i++) crossings += (size_t)((x[i - 1] < 0) != (x[i] < 0));
    // Band energy over the fully-overlapped part of the frame, against the raw energy of the same samples
    // (both exact integers; the ratio is the only float step).
    int64_t band = 0;
    int64_t same = 0;
    for (size_t i = T - 1; i < frame; i++) {
      int64_t acc = 0;
      for (size_t j = 0; j < T; j++) acc += (int64_t)taps[j] * x[i - j];
      const int64_t y = acc >> 15;
      band += y * y;
      same += (int64_t)x[i] * x[i];
    }
    float* o = out + 3 * f;
    o[0] = energy == 0 ? kFloorDb
                       : (float)std::fmax((double)kFloorDb, 10.0 * std::log10((double)energy / (double)frame / kFullScaleSq));
    o[1] = same == 0 ? 0.0f : (float)std::fmin(1.0, (double)band / (double)same);
    o[2] = frame > 1 ? (float)((double)crossings / (double)(frame - 1)) : 0.0f;
  }
  return frames;
}

}  // namespace gymdsp
