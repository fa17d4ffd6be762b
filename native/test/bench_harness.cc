// Instruction-count harness for the outbound path (24 kHz -> 8 kHz + mu-law, 480-sample chunks), run under
// `valgrind --tool=callgrind` so figures are repeatable on a shared machine (see docs/benchmarks/dsp.md).
// usage: dsp_bench_harness <kernels: scalar|sse2|avx2|avx512vnni|neon> [chunks] [peak] [features]
// White noise with the given peak (default 16383: every pair sum fits int16, the folded path; 32767 takes the
// unfolded path wherever a 16-sample block exceeds half scale). With `features` it measures the VAD features of
// 160-sample frames instead (one frame per chunk, as the app calls it; --toggle-collect='*process_frame*').
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "../src/features.h"
#include "../src/kernels.h"
#include "../src/resampler.h"

using namespace gymdsp;

// One outbound chunk; callgrind counts only this (--toggle-collect='*process_chunk*').
__attribute__((noinline)) size_t process_chunk(Resampler& r, const int16_t* in, size_t n, uint8_t* out) {
#ifdef GYMDSP_HARNESS_OLD_API  // the code before Resampler::push_ulaw (what the addon's pushUlaw did)
  static std::vector<int16_t> pcm(1024);
  const size_t m = r.push(in, n, pcm.data());
  active_kernels().ulaw_encode(pcm.data(), out, m);
  return m;
#else
  return r.push_ulaw(in, n, out);
#endif
}

__attribute__((noinline)) size_t process_frame(const int16_t* in, float* out) {
  return frame_features(in, 160, 160, out);
}

int main(int argc, char** argv) {
  const char* want = argc > 1 ? argv[1] : "best";
  const int chunks = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int peak = argc > 3 ? std::atoi(argv[3]) : 16383;
  const bool features = argc > 4 && std::strcmp(argv[4], "features") == 0;
  const Kernels* k = &best_kernels();
  for (const Kernels* c : {&scalar_kernels(), sse2_kernels(), avx2_kernels(), vnni_kernels(), neon_kernels()}) {
    if (c && std::strcmp(c->name, want) == 0) k = c;
  }
  set_kernels_override(k);
  std::vector<int16_t> x(480 * (size_t)chunks);
  uint32_t s = 12345;
  for (size_t i = 0; i < x.size(); i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    x[i] = (int16_t)(((int32_t)(s >> 16) - 32768) * (peak + 1) / 32768);
  }
  Resampler r(24000, 8000);
  std::vector<uint8_t> out(r.output_count(480) + 1);
  unsigned sum = 0;
  timespec t0, t1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  float f[3];
  for (int c = 0; c < chunks; c++) {
    if (features) {
      process_frame(&x[(size_t)c * 160], f);  // consecutive frames, as a call's audio arrives
      sum += (unsigned)(f[0] * -100.0f) + (unsigned)(f[1] * 1000.0f) + (unsigned)(f[2] * 1000.0f);
      continue;
    }
    const size_t n = process_chunk(r, &x[(size_t)c * 480], 480, out.data());
    for (size_t i = 0; i < n; i++) sum += out[i];
  }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  const double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / chunks;
  // Thread CPU time is only indicative on a shared machine; the callgrind instruction count is the stable figure.
  std::printf("%s %s %d chunks checksum %u cpu %.3f us/chunk\n", k->name, features ? "features" : "pipeline", chunks,
              sum, us);
  return 0;
}
