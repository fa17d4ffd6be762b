// Telephone tones at 8 kHz: DTMF generation (ITU-T Q.23), a DTMF receiver (Goertzel, Q.24-style checks) and a
// detector of single steady tones such as a voicemail beep. Scalar and integer where it decides anything, floats
// only as IEEE + - * / on exact integers, in a fixed order: the same decisions on every machine and in the
// TypeScript reference (src/dsp/reference/tones.ts mirrors this file and tones.cc operation for operation).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gymdsp {

constexpr int kToneRate = 8000;

// Q.23 keypad: row (low group) and column (high group) frequencies.
constexpr int kDtmfLowHz[4] = {697, 770, 852, 941};
constexpr int kDtmfHighHz[4] = {1209, 1336, 1477, 1633};
// Keys by row then column: "123A", "456B", "789C", "*0#D".
constexpr char kDtmfKeys[17] = "123A456B789C*0#D";

// Peak amplitudes in 16-bit PCM (our μ-law decoder's scale, where G.711's digital milliwatt, 0 dBm0, has an RMS of
// 16,017): high group -7 dBm0, low group -9 dBm0, so the sum peaks at -5.1 dBFS and never clips. docs/dsp.md says why.
constexpr int kDtmfHighAmp = 10118;
constexpr int kDtmfLowAmp = 8037;
// Shortest tone and gap a keypad may send (Q.24 receivers must accept 40 ms; 70 ms leaves margin for every receiver).
constexpr int kDtmfMinMs = 70;
constexpr int kDtmfMaxMs = 2000;
// 'w' in a key string: half a second of silence, as in Twilio's <Play digits>.
constexpr int kDtmfWaitMs = 500;
constexpr size_t kDtmfMaxKeys = 64;

// Index 0..15 into kDtmfKeys, or -1.
int dtmf_key_index(char c);
// Samples dtmf_render writes; throws std::invalid_argument (bad key, duration out of range, too many keys).
size_t dtmf_length(const std::string& keys, int toneMs, int gapMs);
// Each key: a tone of toneMs, then gapMs of silence ('w': kDtmfWaitMs of silence). Writes dtmf_length samples.
void dtmf_render(const std::string& keys, int toneMs, int gapMs, int16_t* out);

// One detection: a DTMF key (key >= 0) or a steady tone (key < 0, cosine = cos of its angular frequency). Sample
// positions count from the detector's first sample.
struct ToneEvent {
  int key = -1;
  uint64_t startSample = 0;
  uint64_t samples = 0;
  double cosine = 0;
};

class DtmfReceiver {
 public:
  // Analysis window and hop (samples): 205 is the classic size at 8 kHz (39 Hz resolution separates 697 from 770).
  static constexpr int kWindow = 205;
  static constexpr int kHop = 102;
  void push(const int16_t* x, size_t n, std::vector<ToneEvent>* out);
  // The key one window holds (0..15), or -1. Public for the tests.
  static int classify(const int16_t* w);

 private:
  void window_result(int key, std::vector<ToneEvent>* out);
  int16_t buf_[kWindow + kHop] = {};
  int fill_ = 0;
  uint64_t windowStart_ = 0;  // sample index of buf_[0]
  int key_ = -1;
  int hits_ = 0;
  int misses_ = 0;
  uint64_t start_ = 0;
  uint64_t end_ = 0;
};

class BeepDetector {
 public:
  static constexpr int kBlock = 80;       // 10 ms
  static constexpr int kMinBlocks = 12;   // a run of at least 120 ms of steady tone
  void push(const int16_t* x, size_t n, std::vector<ToneEvent>* out);

 private:
  void block_done(std::vector<ToneEvent>* out);
  void end_run(std::vector<ToneEvent>* out);
  int16_t prev1_ = 0, prev2_ = 0;  // the two samples before the block
  int pos_ = 0;
  uint64_t sample_ = 0;
  int64_t a_ = 0, b_ = 0, c_ = 0, e_ = 0;  // per-block sums (tones.cc)
  int64_t envelope_[4] = {};                // per quarter block: sum of x[n-1]² - x[n]x[n-2]
  int runBlocks_ = 0;
  uint64_t runStart_ = 0;
  double runCosSum_ = 0;
  double runEnergySum_ = 0;
};

}  // namespace gymdsp
