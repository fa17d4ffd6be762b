// Plain C++ unit tests of the DSP kernels (no framework): every kernel set built for this architecture is
// compared with the scalar one and with independent reference implementations. Built natively and
// cross-compiled for aarch64 (run under qemu-aarch64) by test/dsp/native-cross.test.ts and CMake (ctest).
// Prints "digest <name> <hex>" lines: the tap test checks they are equal on x86-64 and aarch64.
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../src/design.h"
#include "../src/features.h"
#include "../src/kernels.h"
#include "../src/resampler.h"

using namespace gymdsp;

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                         \
    }                                                                       \
  } while (0)

namespace {

uint64_t fnv(const void* p, size_t n, uint64_t h = 1469598103934665603ull) {
  const uint8_t* b = (const uint8_t*)p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

// Sun Microsystems g711.c linear2ulaw (16-bit version), written independently of the kernels.
uint8_t sun_linear2ulaw(int pcm) {
  static const int segEnd[8] = {0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF};
  int mask;
  if (pcm < 0) {
    pcm = 0x84 - pcm;
    mask = 0x7F;
  } else {
    pcm += 0x84;
    mask = 0xFF;
  }
  int seg = 0;
  while (seg < 8 && pcm > segEnd[seg]) seg++;
  if (seg >= 8) return (uint8_t)(0x7F ^ mask);
  return (uint8_t)(((seg << 4) | ((pcm >> (seg + 3)) & 0xF)) ^ mask);
}

std::vector<int16_t> noise(size_t n, uint32_t seed) {
  std::vector<int16_t> x(n);
  for (size_t i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    x[i] = (int16_t)(seed >> 16);
  }
  return x;
}

std::vector<const Kernels*> kernel_sets() {
  std::vector<const Kernels*> k{&scalar_kernels()};
  for (const Kernels* p : {sse2_kernels(), avx2_kernels(), vnni_kernels(), neon_kernels()}) {
    if (p) k.push_back(p);
  }
  return k;
}

std::vector<int16_t> resample_all(int from, int to, const std::vector<int16_t>& x, const std::vector<size_t>& chunks) {
  Resampler r(from, to);
  std::vector<int16_t> out;
  std::vector<int16_t> tmp;
  size_t i = 0, c = 0;
  while (i < x.size()) {
    const size_t n = std::min(chunks[c++ % chunks.size()], x.size() - i);
    tmp.resize(r.output_count(n));
    CHECK(r.push(&x[i], n, tmp.data()) == tmp.size());
    out.insert(out.end(), tmp.begin(), tmp.end());
    i += n;
  }
  tmp.resize(r.output_count(r.flush_len()));
  CHECK(r.flush(tmp.data()) == tmp.size());
  out.insert(out.end(), tmp.begin(), tmp.end());
  return out;
}

void test_ulaw() {
  std::vector<int16_t> all(65536);
  for (int i = 0; i < 65536; i++) all[i] = (int16_t)(i - 32768);
  for (int i = 0; i < 65536; i++) CHECK(ulaw_encode_sample(all[i]) == sun_linear2ulaw(all[i]));
  for (const Kernels* k : kernel_sets()) {
    std::vector<uint8_t> out(65536);
    k->ulaw_encode(all.data(), out.data(), all.size());
    for (int i = 0; i < 65536; i++) CHECK(out[i] == sun_linear2ulaw(all[i]));
    // Odd lengths and offsets exercise the SIMD tails.
    for (size_t len : {0u, 1u, 7u, 15u, 16u, 17u, 33u, 161u}) {
      std::vector<uint8_t> o(len + 1, 0xAA);
      k->ulaw_encode(all.data() + 12345, o.data(), len);
      for (size_t i = 0; i < len; i++) CHECK(o[i] == sun_linear2ulaw(all[12345 + i]));
      CHECK(o[len] == 0xAA);
    }
    std::printf("ok ulaw-encode %s (65536 inputs)\n", k->name);
  }
  for (int c = 0; c < 256; c++) {
    const int u = ~c & 0xFF;
    const int t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
    CHECK(kUlawDecode[c] == ((u & 0x80) ? 0x84 - t : t - 0x84));
    if (c != 0x7F) CHECK(ulaw_encode_sample(kUlawDecode[c]) == c);
  }
  std::printf("digest ulaw %016llx\n", (unsigned long long)fnv(kUlawDecode, sizeof kUlawDecode));
}

void test_resampler() {
  const int pairs[][2] = {{24000, 8000}, {22050, 8000}, {16000, 8000}, {44100, 8000}, {48000, 8000}, {8000, 16000}};
  const std::vector<int16_t> x = noise(20000, 99);
  for (const auto& pr : pairs) {
    const PolyphaseDesign d = design_resampler(pr[0], pr[1]);
    CHECK(d.K % 16 == 0);
    CHECK(d.groupDelayMs <= 5.0);
    for (int p = 0; p < d.L; p++) {
      int64_t sum = 0, absHi = 0;
      for (int j = 0; j < d.K; j++) {
        const int64_t c = (int64_t)d.hi[(size_t)p * d.K + j] * 128 + d.lo[(size_t)p * d.K + j];
        CHECK(c == d.proto[(size_t)p + (size_t)(d.K - 1 - j) * d.L]);
        CHECK(d.lo[(size_t)p * d.K + j] >= -64 && d.lo[(size_t)p * d.K + j] < 64);
        sum += c;
        absHi += std::llabs(d.hi[(size_t)p * d.K + j]);
      }
      CHECK(sum == (int64_t(1) << kCoefShift));  // exact unity DC gain per phase
      CHECK(absHi * 32768 < (int64_t(1) << 31));  // int32 accumulator of the hi part cannot overflow
      // ... nor the int32 finish of the SIMD kernels: hi + ((lo + 2^20) >> 7), |lo| < 2^30 (see kernels.h).
      CHECK(absHi * 32768 + (int64_t(1) << 23) < (int64_t(1) << 31));
      CHECK((int64_t)d.K * 32768 * 64 < (int64_t(1) << 31));  // nor the lo part
    }
    if (d.L == 1) {
      for (int j = 0; j < d.K; j++) CHECK(d.proto[(size_t)j] == d.proto[(size_t)(d.K - 1 - j)]);  // linear phase
    }
    std::printf("digest taps-%d-%d %016llx\n", pr[0], pr[1],
                (unsigned long long)fnv(d.proto.data(), d.proto.size() * sizeof(int32_t)));
    set_kernels_override(&scalar_kernels());
    const std::vector<int16_t> want = resample_all(pr[0], pr[1], x, {480});
    const std::vector<int16_t> want1 = resample_all(pr[0], pr[1], x, {1, 2, 3, 960, 7, 333});
    CHECK(want == want1);
    for (const Kernels* k : kernel_sets()) {
      set_kernels_override(k);
      CHECK(resample_all(pr[0], pr[1], x, {480}) == want);
      CHECK(resample_all(pr[0], pr[1], x, {5, 1, 64, 1000}) == want);
      std::printf("ok resample %d->%d %s == scalar\n", pr[0], pr[1], k->name);
    }
    // Half-scale input (every mirrored pair sum fits int16: the folded path of symmetric decimators) with
    // full-scale bursts (the unfolded fallback), switching inside chunks.
    std::vector<int16_t> q(x.size());
    for (size_t i = 0; i < x.size(); i++) q[i] = (i / 700) % 3 == 2 ? x[i] : (int16_t)(x[i] / 2);
    set_kernels_override(&scalar_kernels());
    const std::vector<int16_t> wantQ = resample_all(pr[0], pr[1], q, {480});
    for (const Kernels* k : kernel_sets()) {
      set_kernels_override(k);
      CHECK(resample_all(pr[0], pr[1], q, {480}) == wantQ);
      CHECK(resample_all(pr[0], pr[1], q, {1, 17, 333, 4096}) == wantQ);
    }
    set_kernels_override(nullptr);
    std::printf("ok resample %d->%d half-scale + bursts, every kernel == scalar\n", pr[0], pr[1]);
    set_kernels_override(nullptr);
    std::printf("digest resample-%d-%d %016llx\n", pr[0], pr[1],
                (unsigned long long)fnv(want.data(), want.size() * sizeof(int16_t)));
  }
  // Odd byte carried across calls.
  Resampler a(24000, 8000), b(24000, 8000);
  const uint8_t* bytes = (const uint8_t*)x.data();
  std::vector<int16_t> oa(10000), ob;
  const size_t na = a.push_bytes(bytes, 4001 * 2, oa.data());
  std::vector<int16_t> tmp(10000);
  for (size_t i = 0; i < 4001 * 2; i += 3) {
    const size_t len = std::min<size_t>(3, 4001 * 2 - i);
    const size_t expect = b.output_count(b.samples_in_bytes(len));
    const size_t n = b.push_bytes(bytes + i, len, tmp.data());
    CHECK(n == expect);
    ob.insert(ob.end(), tmp.begin(), tmp.begin() + (long)n);
  }
  CHECK(!b.has_pending_byte());
  CHECK(ob.size() == na && std::equal(ob.begin(), ob.end(), oa.begin()));
  std::printf("ok odd-byte carry\n");
}

void test_features() {
  std::vector<int16_t> x(480, 0);
  for (int i = 160; i < 320; i++) x[i] = (int16_t)(i % 8 < 4 ? 16384 : -16384);  // 1 kHz square at 8 kHz
  x[400] = 1;
  std::vector<float> f(9);
  CHECK(frame_features(x.data(), x.size(), 160, f.data()) == 3);
  CHECK(f[0] == -120.0f && f[1] == 0.0f && f[2] == 0.0f);
  CHECK(f[3] > -6.03f && f[3] < -6.0f);  // square wave at half scale: -6.02 dBFS
  CHECK(f[5] > 0.24f && f[5] < 0.26f);
  CHECK(f[6] < -90.0f);
  std::printf("digest features %016llx\n", (unsigned long long)fnv(f.data(), f.size() * sizeof(float)));
}

}  // namespace

int main() {
  std::printf("kernels available: best=%s\n", best_kernels().name);
  test_ulaw();
  test_resampler();
  test_features();
  std::printf("all kernel tests passed\n");
  return 0;
}
