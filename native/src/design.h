// Filter design for the polyphase resampler and the speech-band filter.
//
// Coefficients must be identical on every machine (x86-64, aarch64) and in the TypeScript reference, so
// this file uses only IEEE basic operations (+ - * / sqrt floor) in a fixed order: no libm sin/exp, whose
// last bit differs between platforms, and the build disables FMA contraction (-ffp-contract=off).
// src/dsp/reference/design.ts mirrors these functions operation for operation.
#pragma once
#include <cstdint>
#include <vector>

namespace gymdsp {

constexpr int kCoefShift = 21;  // coefficient scale: 1.0 == 2^21
constexpr int kLoBits = 7;      // coefficient = hi * 2^7 + lo, hi and lo both int16

struct PolyphaseDesign {
  int L = 1;   // interpolation factor (reduced)
  int M = 1;   // decimation factor (reduced)
  int K = 0;   // taps per phase (multiple of 16)
  std::vector<int32_t> proto;   // quantised prototype, N = K*L taps, scale 2^21
  std::vector<int16_t> hi, lo;  // per phase, taps reversed: phase p at [p*K, p*K+K)
  double groupDelayMs = 0;
};

double sinpi_det(double x);
double bessel_i0_det(double x);
// Throws std::invalid_argument for rates outside the supported set.
PolyphaseDesign design_resampler(int fromHz, int toHz);
// log10 of a positive normal double from IEEE basic operations only (libm's log10 may differ in the last bit
// between platforms and from V8's Math.log10): the one float step of the VAD energy in dBFS.
double log10_det(double v);
// 31-tap 300-3400 Hz band-pass at 8 kHz, Q15.
const std::vector<int16_t>& speech_band_taps();

}  // namespace gymdsp
