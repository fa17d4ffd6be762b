#include "tones.h"

#include <cmath>
#include <stdexcept>

#include "design.h"

namespace gymdsp {

namespace {

// ---- generation --------------------------------------------------------------------------------------------------

constexpr int kSineBits = 10;  // 1,024-entry Q15 sine table, linear interpolation: spurs below -100 dBc
constexpr int kRamp = 16;      // 2 ms linear ramp at each end of a tone: no click, no splatter into speech bands

const std::vector<int16_t>& sine_table() {
  static const std::vector<int16_t> t = [] {
    std::vector<int16_t> v((1 << kSineBits) + 1);
    for (int i = 0; i <= (1 << kSineBits); i++) {
      v[(size_t)i] = (int16_t)std::floor(32767.0 * sinpi_det(2.0 * i / (double)(1 << kSineBits)) + 0.5);
    }
    return v;
  }();
  return t;
}

uint32_t phase_step(int hz) { return (uint32_t)((((uint64_t)hz << 32) + 4000) / 8000); }

int32_t sine_at(const std::vector<int16_t>& t, uint32_t phase) {
  const uint32_t idx = phase >> (32 - kSineBits);
  const int32_t frac = (int32_t)((phase >> 6) & 0xFFFF);
  const int32_t t0 = t[idx];
  const int32_t d = t[idx + 1] - t0;
  return t0 + ((d * frac + 32768) >> 16);
}

void render_tone(int key, size_t n, int16_t* out) {
  const std::vector<int16_t>& t = sine_table();
  const uint32_t stepLow = phase_step(kDtmfLowHz[key / 4]);
  const uint32_t stepHigh = phase_step(kDtmfHighHz[key % 4]);
  uint32_t pl = 0, ph = 0;  // both tones start at phase 0 (sin 0 = 0)
  for (size_t i = 0; i < n; i++) {
    int32_t s = ((sine_at(t, pl) * kDtmfLowAmp + 16384) >> 15) + ((sine_at(t, ph) * kDtmfHighAmp + 16384) >> 15);
    const size_t edge = i < n - 1 - i ? i : n - 1 - i;
    if (edge < (size_t)kRamp) {
      const int32_t gain = (int32_t)(((edge + 1) * 4096) / (kRamp + 1));
      s = (s * gain + 2048) >> 12;
    }
    out[i] = (int16_t)s;
    pl += stepLow;
    ph += stepHigh;
  }
}

// ---- DTMF receiver -----------------------------------------------------------------------------------------------

// 0 dBm0 as a mean square in our PCM scale (digital milliwatt RMS 16,017, squared).
constexpr double kDbm0MeanSquare = 256537592.0;
// Each tone at least -30 dBm0 (Q.24 receivers work down to about -25 dBm0 per tone; lower is line noise).
constexpr double kMinToneMs = kDbm0MeanSquare * 0.001;
// Twist: the high tone may be up to 8 dB below the low one (loops and codecs lose highs) and 4 dB above it
// (keypads send the high group about 2 dB hotter).
constexpr double kMaxHighOverLow = 2.51188643150958;   // +4 dB
constexpr double kMinHighOverLow = 0.158489319246111;  // -8 dB
// The chosen tone of each group at least 6 dB above the other three of its group.
constexpr double kGroupMargin = 4.0;
// The two tones hold at least 80 % of the window's energy: speech and music spread theirs (babble reaches 76 %).
constexpr double kMinShare = 0.8;
// A tone's second harmonic at most -8 dB relative to it: voices and instruments have harmonics, keypads do not.
constexpr double kMaxHarmonic = 0.158489319246111;

// Q.24 receivers must accept keys up to 1.5 % off frequency. A 205-sample filter is 39 Hz wide, so 1.5 % of 1,633 Hz
// (24 Hz) would cost 6.5 dB: each tone is measured by three filters (-1.5 %, 0, +1.5 %) and the strongest counts.
constexpr int kOffsets = 3;
constexpr double kOffset[kOffsets] = {-0.015, 0.0, 0.015};

struct Coefs {
  int32_t tone[8][kOffsets];      // low group 0..3, high group 4..7
  int32_t harmonic[8][kOffsets];  // at twice each of those frequencies
};

int32_t goertzel_coef(double hz) {
  return (int32_t)std::floor(2.0 * sinpi_det(0.5 - 2.0 * hz / 8000.0) * 16384.0 + 0.5);
}

const Coefs& coefs() {
  static const Coefs c = [] {
    Coefs k{};
    for (int i = 0; i < 8; i++) {
      const int f = i < 4 ? kDtmfLowHz[i] : kDtmfHighHz[i - 4];
      for (int j = 0; j < kOffsets; j++) {
        const double hz = f * (1.0 + kOffset[j]);
        k.tone[i][j] = goertzel_coef(hz);
        k.harmonic[i][j] = goertzel_coef(2.0 * hz);
      }
    }
    return k;
  }();
  return c;
}

// Mean square of the window's component at the filter's frequency (A²/2 for a sine of amplitude A on it).
double goertzel(const int16_t* w, int n, int32_t coef) {
  int64_t s1 = 0, s2 = 0;
  for (int i = 0; i < n; i++) {
    const int64_t s = (int64_t)w[i] + (((int64_t)coef * s1) >> 14) - s2;
    s2 = s1;
    s1 = s;
  }
  const double d1 = (double)s1;
  const double d2 = (double)s2;
  const double cd = (double)coef / 16384.0;
  const double power = d1 * d1 + d2 * d2 - cd * d1 * d2;
  return 2.0 * power / (double)(n * n);
}

int strongest(const double* m) {
  int best = 0;
  for (int i = 1; i < 4; i++)
    if (m[i] > m[best]) best = i;
  return best;
}

bool stands_out(const double* m, int best) {
  for (int i = 0; i < 4; i++)
    if (i != best && m[i] * kGroupMargin > m[best]) return false;
  return true;
}

// ---- steady tones --------------------------------------------------------------------------------------------------

// At least -35 dBm0 (beeps are sent at -20..-5 dBm0).
constexpr double kBeepMinMs = kDbm0MeanSquare * 0.000316227766016838;
// The block's two-tap predictor residual at most 1 % of its energy: one sinusoid and nothing else (a tone through
// G.711 leaves about 0.2 %; a sung vowel, whose harmonics the predictor cannot follow, 1-4 %).
constexpr double kMaxResidual = 0.01;
// Frequency steady within about ±5 Hz of the run's mean (a generated beep does not move; vibrato moves 1-3 %):
// in c = 2cos(w), |dc| <= 2 sin(w) dw.
constexpr double kFreqTol = 2.0 * (2.0 * 3.141592653589793 * 5.0 / 8000.0);
// Level steady within ±1.5 dB of the run's mean (beeps are flat; notes swell and decay).
constexpr double kMinLevel = 0.707945784384138;
constexpr double kMaxLevel = 1.41253754462275;
// A sine's envelope x[n-1]² - x[n]·x[n-2] = A²·sin²(w) is the same at every sample; two tones close together
// (480 + 620 Hz busy tone) fit the predictor almost as well but beat. The four quarters of a block must agree within
// ±1 dB.
constexpr double kMaxEnvelopeSpread = 1.25;

double two_cos(double hz) { return 2.0 * sinpi_det(0.5 - 2.0 * hz / 8000.0); }

}  // namespace

int dtmf_key_index(char c) {
  for (int i = 0; i < 16; i++)
    if (kDtmfKeys[i] == c) return i;
  return -1;
}

size_t dtmf_length(const std::string& keys, int toneMs, int gapMs) {
  if (toneMs < kDtmfMinMs || toneMs > kDtmfMaxMs || gapMs < kDtmfMinMs || gapMs > kDtmfMaxMs) {
    throw std::invalid_argument("tone and gap must each be " + std::to_string(kDtmfMinMs) + ".." +
                                std::to_string(kDtmfMaxMs) + " ms");
  }
  if (keys.empty() || keys.size() > kDtmfMaxKeys) {
    throw std::invalid_argument("keys must be 1.." + std::to_string(kDtmfMaxKeys) + " of 0-9 * # A-D w");
  }
  size_t n = 0;
  for (char c : keys) {
    if (c == 'w') {
      n += (size_t)kDtmfWaitMs * 8;
    } else if (dtmf_key_index(c) >= 0) {
      n += (size_t)(toneMs + gapMs) * 8;
    } else {
      throw std::invalid_argument("keys must be 1.." + std::to_string(kDtmfMaxKeys) + " of 0-9 * # A-D w");
    }
  }
  return n;
}

void dtmf_render(const std::string& keys, int toneMs, int gapMs, int16_t* out) {
  const size_t tone = (size_t)toneMs * 8;
  const size_t gap = (size_t)gapMs * 8;
  for (char c : keys) {
    if (c == 'w') {
      for (size_t i = 0; i < (size_t)kDtmfWaitMs * 8; i++) *out++ = 0;
      continue;
    }
    render_tone(dtmf_key_index(c), tone, out);
    out += tone;
    for (size_t i = 0; i < gap; i++) *out++ = 0;
  }
}

int DtmfReceiver::classify(const int16_t* w) {
  int64_t energy = 0;
  for (int i = 0; i < kWindow; i++) energy += (int64_t)w[i] * w[i];
  const double meanSquare = (double)energy / (double)kWindow;
  if (meanSquare < 2.0 * kMinToneMs) return -1;
  const Coefs& k = coefs();
  double level[8];
  int offset[8];
  for (int i = 0; i < 8; i++) {
    level[i] = -1;
    offset[i] = 1;
    for (int j = 0; j < kOffsets; j++) {
      const double m = goertzel(w, kWindow, k.tone[i][j]);
      if (m > level[i]) {
        level[i] = m;
        offset[i] = j;
      }
    }
  }
  const double* low = level;
  const double* high = level + 4;
  const int r = strongest(low);
  const int c = strongest(high);
  if (low[r] < kMinToneMs || high[c] < kMinToneMs) return -1;
  if (high[c] > low[r] * kMaxHighOverLow || high[c] < low[r] * kMinHighOverLow) return -1;
  if (!stands_out(low, r) || !stands_out(high, c)) return -1;
  // Silence in part of the window lowers this too: a burst must fill 80 % of two windows in a row, so one under
  // 33 ms is never a key and one of 46 ms or more always is.
  if (low[r] + high[c] < kMinShare * meanSquare) return -1;
  if (goertzel(w, kWindow, k.harmonic[r][offset[r]]) > kMaxHarmonic * low[r]) return -1;
  if (goertzel(w, kWindow, k.harmonic[4 + c][offset[4 + c]]) > kMaxHarmonic * high[c]) return -1;
  return r * 4 + c;
}

void DtmfReceiver::push(const int16_t* x, size_t n, std::vector<ToneEvent>* out) {
  for (size_t i = 0; i < n; i++) {
    buf_[fill_++] = x[i];
    if (fill_ < kWindow) continue;
    window_result(classify(buf_), out);
    // Slide by one hop: keep the window's last kWindow - kHop samples.
    for (int j = 0; j < kWindow - kHop; j++) buf_[j] = buf_[j + kHop];
    fill_ = kWindow - kHop;
    windowStart_ += kHop;
  }
}

// A key is two windows in a row that hold it; it ends after three windows that do not, or when another key follows.
// A 10 ms interruption (a lost packet) spoils at most two windows, so it does not split a key (Q.24); a 40 ms pause
// spoils at least four, so two keys that far apart stay two. A key is reported when it ends, with its length.
void DtmfReceiver::window_result(int key, std::vector<ToneEvent>* out) {
  if (key >= 0 && key == key_) {
    hits_++;
    misses_ = 0;
    end_ = windowStart_ + kWindow;
    return;
  }
  if (key_ >= 0 && key < 0 && ++misses_ < 3) return;
  if (key_ >= 0 && hits_ >= 2) {
    ToneEvent e;
    e.key = key_;
    e.startSample = start_;
    e.samples = end_ - start_;
    out->push_back(e);
  }
  key_ = key;
  hits_ = key >= 0 ? 1 : 0;
  misses_ = 0;
  start_ = windowStart_;
  end_ = windowStart_ + kWindow;
}

void BeepDetector::push(const int16_t* x, size_t n, std::vector<ToneEvent>* out) {
  for (size_t i = 0; i < n; i++) {
    const int64_t s = x[i];
    const int64_t a = s + prev2_;  // x[n] + x[n-2] = 2cos(w) x[n-1] for a pure tone
    const int64_t b = prev1_;
    a_ += a * a;
    b_ += b * a;
    c_ += b * b;
    e_ += s * s;
    envelope_[pos_ / (kBlock / 4)] += b * b - s * prev2_;
    prev2_ = prev1_;
    prev1_ = x[i];
    sample_++;
    if (++pos_ == kBlock) block_done(out);
  }
}

void BeepDetector::block_done(std::vector<ToneEvent>* out) {
  static const double cosLo = two_cos(2040.0);  // 2,000 Hz + 2 %
  static const double cosHi = two_cos(392.0);   // 400 Hz - 2 %
  const double energy = (double)e_;
  const double a = (double)a_, b = (double)b_, c = (double)c_;
  int64_t envMin = envelope_[0], envMax = envelope_[0];
  for (int q = 1; q < 4; q++) {
    if (envelope_[q] < envMin) envMin = envelope_[q];
    if (envelope_[q] > envMax) envMax = envelope_[q];
  }
  a_ = b_ = c_ = e_ = 0;
  for (int64_t& q : envelope_) q = 0;
  pos_ = 0;
  bool tonal = energy >= kBeepMinMs * kBlock && c > 0 && envMin > 0 &&
               (double)envMax <= kMaxEnvelopeSpread * (double)envMin;
  double twoCos = 0;
  if (tonal) {
    twoCos = b / c;
    const double residual = a - b * b / c;  // least-squares error of x[n] + x[n-2] = k x[n-1]
    tonal = twoCos >= cosLo && twoCos <= cosHi && residual <= kMaxResidual * energy;
  }
  if (!tonal) return end_run(out);
  if (runBlocks_ > 0) {
    const double meanCos = runCosSum_ / runBlocks_;
    const double meanEnergy = runEnergySum_ / runBlocks_;
    const double sinW = std::sqrt(1.0 - meanCos * meanCos / 4.0);
    const double dc = twoCos - meanCos;
    const bool steady = (dc < 0 ? -dc : dc) <= kFreqTol * sinW && energy >= kMinLevel * meanEnergy &&
                        energy <= kMaxLevel * meanEnergy;
    if (!steady) end_run(out);
  }
  if (runBlocks_ == 0) runStart_ = sample_ - kBlock;
  runBlocks_++;
  runCosSum_ += twoCos;
  runEnergySum_ += energy;
}

void BeepDetector::end_run(std::vector<ToneEvent>* out) {
  if (runBlocks_ >= kMinBlocks) {
    ToneEvent e;
    e.startSample = runStart_;
    e.samples = (uint64_t)runBlocks_ * kBlock;
    e.cosine = runCosSum_ / runBlocks_ / 2.0;
    out->push_back(e);
  }
  runBlocks_ = 0;
  runCosSum_ = 0;
  runEnergySum_ = 0;
}

}  // namespace gymdsp
