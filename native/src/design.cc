#include "design.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace gymdsp {

namespace {
constexpr double kPi = 3.141592653589793;
constexpr double kStopbandDb = 105.0;  // design target; leaves room for the 2^-21 coefficient quantisation
constexpr int kMaxL = 1024;

long gcd(long a, long b) {
  while (b != 0) {
    long t = a % b;
    a = b;
    b = t;
  }
  return a;
}

double sinc_det(double x) {
  if (x == 0.0) return 1.0;
  return sinpi_det(x) / (kPi * x);
}

double kaiser_det(int n, int N, double beta, double i0beta) {
  const double r = 2.0 * n / (double)(N - 1) - 1.0;
  const double arg = beta * std::sqrt(1.0 - r * r);
  return bessel_i0_det(arg) / i0beta;
}
}  // namespace

double sinpi_det(double x) {
  const double k = std::floor(x + 0.5);
  const double r = x - k;
  const double t = r * kPi;
  const double t2 = t * t;
  double s = 1.0;
  for (int i = 27; i >= 3; i -= 2) s = 1.0 - s * t2 / (double)((i - 1) * i);
  s = s * t;
  const long long ki = (long long)k;
  return (ki % 2 != 0) ? -s : s;
}

double bessel_i0_det(double x) {
  double sum = 1.0;
  double term = 1.0;
  for (int k = 1; k <= 50; k++) {
    const double q = x / (double)(2 * k);
    term = (term * q) * q;
    sum = sum + term;
  }
  return sum;
}

PolyphaseDesign design_resampler(int fromHz, int toHz) {
  if (fromHz < 4000 || fromHz > 192000 || toHz < 4000 || toHz > 192000) {
    throw std::invalid_argument("sample rates must be between 4000 and 192000 Hz (got " + std::to_string(fromHz) +
                                " -> " + std::to_string(toHz) + ")");
  }
  if (fromHz == toHz) throw std::invalid_argument("fromHz and toHz are equal: nothing to resample");
  const long g = gcd(fromHz, toHz);
  PolyphaseDesign d;
  d.L = (int)(toHz / g);
  d.M = (int)(fromHz / g);
  if (d.L > kMaxL) {
    throw std::invalid_argument("rate ratio " + std::to_string(fromHz) + "/" + std::to_string(toHz) +
                                " needs " + std::to_string(d.L) + " phases (max " + std::to_string(kMaxL) + ")");
  }
  // Band edges scale with the lower rate: at 8 kHz that is 3400 Hz pass / 4600 Hz stop, so anything whose
  // alias would land inside 0-3.4 kHz is in the stopband.
  const double minRate = (double)(fromHz < toHz ? fromHz : toHz);
  const double fpass = 0.425 * minRate;
  const double fstop = 0.575 * minRate;
  const double fc = 0.5 * minRate;
  const double dw = 2.0 * kPi * (fstop - fpass) / (double)fromHz;
  const int kNeeded = (int)std::ceil((kStopbandDb - 7.95) / (2.285 * dw)) + 1;
  d.K = (kNeeded + 15) / 16 * 16;
  const int N = d.K * d.L;
  const double F = (double)fromHz * (double)d.L;
  const double beta = 0.1102 * (kStopbandDb - 8.7);
  const double i0beta = bessel_i0_det(beta);
  const double bw = 2.0 * fc / F;
  const double c = (double)(N - 1) / 2.0;
  const double gain = (double)d.L;
  d.proto.resize(N);
  for (int n = 0; n < N; n++) {
    const double h = ((gain * bw) * sinc_det(bw * ((double)n - c))) * kaiser_det(n, N, beta, i0beta);
    d.proto[n] = (int32_t)std::floor(h * 2097152.0 + 0.5);
  }
  // Make every phase sum to exactly 1.0 so DC gain does not depend on the phase (no DC ripple at the output).
  for (int p = 0; p < d.L; p++) {
    int64_t sum = 0;
    int best = p;
    for (int k = 0; k < d.K; k++) {
      const int idx = p + k * d.L;
      sum += d.proto[idx];
      if (std::llabs(d.proto[idx]) > std::llabs(d.proto[best])) best = idx;
    }
    const int64_t fix = (int64_t(1) << kCoefShift) - sum;
    const int mirror = N - 1 - best;
    if (d.L == 1 && mirror != best) {
      // Plain decimator: split the fix-up over the tap and its mirror image so the filter stays exactly
      // symmetric (linear phase), which the SIMD kernels exploit (fold mirrored input pairs).
      const int64_t half = fix >= 0 ? fix / 2 : -((-fix + 1) / 2);  // floor(fix / 2)
      d.proto[best] += (int32_t)half;
      d.proto[mirror] += (int32_t)(fix - half);
    } else {
      d.proto[best] += (int32_t)fix;
    }
  }
  d.hi.resize((size_t)d.L * d.K);
  d.lo.resize((size_t)d.L * d.K);
  for (int p = 0; p < d.L; p++) {
    for (int j = 0; j < d.K; j++) {
      const int32_t cq = d.proto[p + (d.K - 1 - j) * d.L];
      const int32_t hi = (cq + (1 << (kLoBits - 1))) >> kLoBits;  // arithmetic shift: floor
      const int32_t lo = cq - hi * (1 << kLoBits);
      d.hi[(size_t)p * d.K + j] = (int16_t)hi;
      d.lo[(size_t)p * d.K + j] = (int16_t)lo;
    }
  }
  d.groupDelayMs = (double)(N - 1) / 2.0 / F * 1000.0;
  return d;
}

double log10_det(double v) {
  int e = 0;
  double m = std::frexp(v, &e);  // v = m * 2^e, m in [0.5, 1): exact, no rounding
  if (m < 0.7071067811865476) {  // m in [sqrt(1/2), sqrt(2))
    m = m * 2.0;
    e = e - 1;
  }
  // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.1716: 13 terms leave < 1e-20.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double sum = 1.0 / 25.0;
  for (int k = 11; k >= 0; k--) sum = sum * s2 + 1.0 / (double)(2 * k + 1);
  const double ln = (double)e * 0.6931471805599453 + 2.0 * s * sum;
  return ln / 2.302585092994046;
}

const std::vector<int16_t>& speech_band_taps() {
  static const std::vector<int16_t> taps = [] {
    constexpr int N = 31;
    const double beta = 5.0;
    const double i0beta = bessel_i0_det(beta);
    const double c = (double)(N - 1) / 2.0;
    const double bHi = 2.0 * 3400.0 / 8000.0;
    const double bLo = 2.0 * 300.0 / 8000.0;
    std::vector<int16_t> t(N);
    for (int n = 0; n < N; n++) {
      const double x = (double)n - c;
      const double h = (bHi * sinc_det(bHi * x) - bLo * sinc_det(bLo * x)) * kaiser_det(n, N, beta, i0beta);
      t[n] = (int16_t)std::floor(h * 32768.0 + 0.5);
    }
    return t;
  }();
  return taps;
}

}  // namespace gymdsp
