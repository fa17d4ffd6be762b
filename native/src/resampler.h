// Streaming polyphase resampler. State (history, phase, a dangling odd byte) is carried across calls, so the
// output is the same sample for sample however the input is chunked.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "design.h"

namespace gymdsp {

class Resampler {
 public:
  Resampler(int fromHz, int toHz);  // throws std::invalid_argument

  // Exact number of outputs that appending n more input samples produces (the addon sizes its result with it).
  size_t output_count(size_t n) const;
  // Samples that n more bytes complete (a carried odd byte joins the first one).
  size_t samples_in_bytes(size_t n) const { return (n + (hasOdd_ ? 1 : 0)) / 2; }
  // Appends samples and writes the produced outputs; returns their count.
  size_t push(const int16_t* in, size_t n, int16_t* out);
  // Resamples then mu-law encodes (the outbound leg of a call); returns the count written to out.
  size_t push_ulaw(const int16_t* in, size_t n, uint8_t* out);
  // Little-endian bytes; an odd trailing byte is kept for the next call.
  size_t push_bytes(const uint8_t* in, size_t n, int16_t* out);
  size_t flush_len() const { return (size_t)design_.K / 2; }
  // Feeds flush_len() zeros to drain the filter delay, then resets the state. A dangling odd byte is dropped
  // (it is half a sample).
  size_t flush(int16_t* out);

  const PolyphaseDesign& design() const { return design_; }
  bool has_pending_byte() const { return hasOdd_; }

 private:
  size_t run(size_t appended, int16_t* out);
  void reset();

  PolyphaseDesign design_;
  std::vector<int16_t> buf_;  // K-1 history samples, then new input
  bool symmetric_ = false;    // plain decimator with c[j] == c[K-1-j]: SIMD kernels may fold mirrored pairs
  std::vector<int16_t> rev_;  // kernel scratch for folding (reversed buf)
  std::vector<int32_t> loud_;
  std::vector<int16_t> pcm_;  // push_ulaw's resampled samples before encoding
  int64_t pos_ = 0;
  bool hasOdd_ = false;
  uint8_t oddByte_ = 0;
};

}  // namespace gymdsp
