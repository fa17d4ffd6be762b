#include "resampler.h"

#include <cstring>

#include "kernels.h"

namespace gymdsp {

Resampler::Resampler(int fromHz, int toHz) : design_(design_resampler(fromHz, toHz)) {
  const int K = design_.K;
  symmetric_ = design_.L == 1;
  for (int j = 0; j < K / 2 && symmetric_; j++) {
    symmetric_ = design_.hi[j] == design_.hi[K - 1 - j] && design_.lo[j] == design_.lo[K - 1 - j];
  }
  reset();
}

void Resampler::reset() {
  buf_.assign((size_t)design_.K - 1, 0);
  pos_ = 0;
  hasOdd_ = false;
  oddByte_ = 0;
}

size_t Resampler::output_count(size_t n) const {
  const int64_t lim = (int64_t)n * design_.L;
  if (lim <= pos_) return 0;
  return (size_t)((lim - pos_ + design_.M - 1) / design_.M);
}

size_t Resampler::run(size_t appended, int16_t* out) {
  const size_t hist = (size_t)design_.K - 1;
  ResampleArgs a{buf_.data(), appended, design_.L, design_.M, design_.K, design_.hi.data(), design_.lo.data()};
  if (symmetric_) {
    if (rev_.size() < buf_.size()) rev_.resize(buf_.size());
    if (loud_.size() < buf_.size() / 16 + 2) loud_.resize(buf_.size() / 16 + 2);
    a.symmetric = true;
    a.rev = rev_.data();
    a.loud = loud_.data();
  }
  const size_t produced = active_kernels().resample(a, &pos_, out);
  pos_ -= (int64_t)appended * design_.L;
  std::memmove(buf_.data(), buf_.data() + appended, hist * sizeof(int16_t));
  buf_.resize(hist);
  return produced;
}

size_t Resampler::push(const int16_t* in, size_t n, int16_t* out) {
  if (n == 0) return 0;
  buf_.insert(buf_.end(), in, in + n);  // copies without zero-filling first (resize would)
  return run(n, out);
}

size_t Resampler::push_ulaw(const int16_t* in, size_t n, uint8_t* out) {
  const size_t m = output_count(n);
  if (pcm_.size() < m) pcm_.resize(m);
  const size_t produced = push(in, n, pcm_.data());
  active_kernels().ulaw_encode(pcm_.data(), out, produced);
  return produced;
}

size_t Resampler::push_bytes(const uint8_t* in, size_t n, int16_t* out) {
  const size_t hist = buf_.size();
  size_t i = 0;
  std::vector<int16_t>& b = buf_;
  b.reserve(hist + n / 2 + 1);
  if (hasOdd_ && n > 0) {
    b.push_back((int16_t)(uint16_t)(oddByte_ | (in[0] << 8)));
    hasOdd_ = false;
    i = 1;
  }
  for (; i + 1 < n; i += 2) b.push_back((int16_t)(uint16_t)(in[i] | (in[i + 1] << 8)));
  if (i < n) {
    oddByte_ = in[i];
    hasOdd_ = true;
  }
  const size_t appended = b.size() - hist;
  return appended == 0 ? 0 : run(appended, out);
}

size_t Resampler::flush(int16_t* out) {
  const size_t hist = buf_.size();
  const size_t z = flush_len();
  buf_.resize(hist + z, 0);
  const size_t produced = run(z, out);
  reset();
  return produced;
}

}  // namespace gymdsp
