// Per-frame features for voice activity detection on 8 kHz call audio.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gymdsp {

// For each whole frame of `frame` samples writes 3 floats: energy in dBFS (floor -120), the share of energy in
// the 300-3400 Hz band (0..1), and the zero-crossing rate (crossings per sample, 0..1). Returns frame count.
// Each frame is computed from its own samples only, so results do not depend on how audio is split into calls.
size_t frame_features(const int16_t* pcm, size_t n, size_t frame, float* out);

}  // namespace gymdsp
