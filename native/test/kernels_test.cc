// Plain C++ unit tests of the DSP kernels (no framework): every kernel set built for this architecture is
// compared with the scalar one and with independent reference implementations. Built natively and
// cross-compiled for aarch64 (run under qemu-aarch64) by test/dsp/native-cross.test.ts and CMake (ctest).
// Prints "digest <name> <hex>" lines: the tap test checks they are equal on x86-64 and aarch64.
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../src/design.h"
#include "../src/features.h"
#include "../src/kernels.h"
#include "../src/resampler.h"
#include "../src/tones.h"

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

// The frame sums written independently of every kernel: 64-bit, sample by sample, taps from the design.
FrameSums reference_sums(const int16_t* x, size_t n, int64_t* maxAbsY) {
  const std::vector<int16_t>& t = speech_band_taps();
  FrameSums s;
  for (size_t i = 0; i < n; i++) s.energy += (int64_t)x[i] * x[i];
  for (size_t i = 1; i < n; i++) s.crossings += ((int)x[i - 1] ^ (int)x[i]) < 0 ? 1 : 0;
  for (size_t i = t.size() - 1; i < n; i++) {
    int64_t acc = 0;
    for (size_t j = 0; j < t.size(); j++) acc += (int64_t)t[j] * x[i - j];
    const int64_t y = acc >= 0 ? acc / 32768 : -((-acc + 32767) / 32768);  // floor
    *maxAbsY = std::max<int64_t>(*maxAbsY, y < 0 ? -y : y);
    s.band += y * y;
    s.same += (int64_t)x[i] * x[i];
  }
  return s;
}

bool same_sums(const FrameSums& a, const FrameSums& b) {
  return a.energy == b.energy && a.band == b.band && a.same == b.same && a.crossings == b.crossings;
}

// The dBFS step: log10 without libm, close to libm's and the same bits on every architecture (digest).
void test_log10_det() {
  CHECK(log10_det(1.0) == 0.0);
  std::vector<double> vals;
  for (double v = 1.0 / 48000 / 1073741824.0; v <= 1.0; v *= 1.0173) {
    const double want = std::log10(v);
    CHECK(std::fabs(log10_det(v) - want) <= 4.5e-16 * std::fabs(want) + 1e-300);
    vals.push_back(log10_det(v));
  }
  std::printf("ok log10_det (%zu values within 2 ulp of libm)\n", vals.size());
  std::printf("digest log10 %016llx\n", (unsigned long long)fnv(vals.data(), vals.size() * sizeof(double)));
}

void test_feature_kernels() {
  const BandFilter& bf = band_filter();
  const std::vector<int16_t>& t = speech_band_taps();
  CHECK((int)t.size() == kBandTaps && bf.taps[31] == 0);
  int64_t absSum = 0;
  for (int j = 0; j < kBandTaps; j++) {
    CHECK(bf.taps[j] == t[(size_t)j] && t[(size_t)j] == t[(size_t)(kBandTaps - 1 - j)]);
    absSum += std::llabs(t[(size_t)j]);
  }
  for (int p = 0; p < 16; p++) {
    CHECK((int16_t)(bf.pairs[p] & 0xFFFF) == bf.taps[2 * p] && (int16_t)(bf.pairs[p] >> 16) == bf.taps[2 * p + 1]);
  }
  // The bound every SIMD accumulator relies on (kernels.h): int32 FIR sums, |y| <= absSum, y^2 < 2^32.
  CHECK(absSum == bf.absSum && absSum * 32768 < (int64_t(1) << 31) && absSum * absSum < (int64_t(1) << 32));

  // Vectors: noise at several levels, the extremes, and a worst case for the filter: a period-31 sequence
  // with x[i-j] = +-full scale following the sign of taps[j], which drives y to about +-absSum at every 31st
  // output (both signs), plus zeros between signs (0 counts as non-negative).
  const size_t N = 70001;  // > 16 * 4096: the int16 crossing counters are widened at least once on every set
  std::vector<std::vector<int16_t>> vecs;
  vecs.push_back(noise(N, 7));
  vecs.push_back(noise(N, 8));
  std::vector<int16_t> v(N);
  for (size_t i = 0; i < N; i++) v[i] = (int16_t)(vecs[0][i] / 64);
  vecs.push_back(v);
  vecs.push_back(std::vector<int16_t>(N, -32768));
  vecs.push_back(std::vector<int16_t>(N, 32767));
  vecs.push_back(std::vector<int16_t>(N, 0));
  for (size_t i = 0; i < N; i++) v[i] = (int16_t)(i % 2 ? -32768 : 32767);
  vecs.push_back(v);
  for (size_t i = 0; i < N; i++) v[i] = (int16_t)(i % 4 < 2 ? -32768 : 32767);
  vecs.push_back(v);
  for (size_t i = 0; i < N; i++) {
    const int16_t tj = t[i % 31];
    v[i] = (i / 1000) % 2 ? (tj >= 0 ? 32767 : -32768) : (tj >= 0 ? -32768 : 32767);
  }
  vecs.push_back(v);
  for (size_t i = 0; i < N; i++) v[i] = (int16_t)((i % 3) - 1);
  vecs.push_back(v);

  // Every tail case of every vector width (8/16 samples, 4/8 filter outputs), block boundaries (256 outputs) and
  // the int16 crossing-counter widening (N).
  const size_t lens[] = {1,   2,   3,   7,   8,   9,   15,  16,  17,  29,  30,  31,  32,   33,    37,   38,
                         39,  40,  45,  46,  47,  79,  80,  81,  159, 160, 161, 255, 285,  286,   287,  288,
                         293, 320, 321, 545, 549, 4000, 48000, N - 3};
  int64_t maxAbsY = 0;
  size_t cases = 0;
  std::vector<FrameSums> want;
  for (const auto& x : vecs) {
    for (size_t len : lens) {
      for (size_t off : {(size_t)0, (size_t)1, (size_t)3}) want.push_back(reference_sums(x.data() + off, len, &maxAbsY));
    }
  }
  CHECK(maxAbsY > 60000 && maxAbsY <= absSum);  // the worst case really reached the bound region
  for (const Kernels* k : kernel_sets()) {
    size_t w = 0;
    for (const auto& x : vecs) {
      for (size_t len : lens) {
        for (size_t off : {(size_t)0, (size_t)1, (size_t)3}) {
          FrameSums s, e;
          k->frame_sums(x.data() + off, len, bf, &s);
          // Again from a buffer of exactly len samples, so a sanitizer build catches any read outside the frame.
          const std::vector<int16_t> exact(x.begin() + (long)off, x.begin() + (long)(off + len));
          k->frame_sums(exact.data(), len, bf, &e);
          CHECK(same_sums(s, e));
          if (!same_sums(s, want[w])) {
            std::fprintf(stderr, "%s n=%zu off=%zu: energy %lld/%lld band %lld/%lld same %lld/%lld zc %lld/%lld\n",
                         k->name, len, off, (long long)s.energy, (long long)want[w].energy, (long long)s.band,
                         (long long)want[w].band, (long long)s.same, (long long)want[w].same,
                         (long long)s.crossings, (long long)want[w].crossings);
            CHECK(false);
          }
          w++;
          cases++;
        }
      }
    }
    std::printf("ok frame-sums %s == reference (%zu frames, max |y| %lld of bound %lld)\n", k->name, w,
                (long long)maxAbsY, (long long)absSum);
  }

  // The float features through the dispatcher: every set, odd sample counts (partial last frame ignored).
  std::vector<int16_t> mix;
  for (const auto& x : vecs) mix.insert(mix.end(), x.begin(), x.begin() + 2003);
  uint64_t digest = 1469598103934665603ull;
  for (size_t frame : {80u, 160u, 320u, 33u, 161u}) {
    const size_t n = mix.size() - 7;
    set_kernels_override(&scalar_kernels());
    std::vector<float> a(3 * (n / frame));
    CHECK(frame_features(mix.data(), n, frame, a.data()) == n / frame);
    for (const Kernels* k : kernel_sets()) {
      set_kernels_override(k);
      std::vector<float> b(a.size());
      CHECK(frame_features(mix.data(), n, frame, b.data()) == n / frame);
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    }
    set_kernels_override(nullptr);
    digest = fnv(a.data(), a.size() * sizeof(float), digest);
  }
  for (const Kernels* k : kernel_sets()) std::printf("ok features %s == scalar (frames 80/160/320/33/161)\n", k->name);
  std::printf("digest features-extremes %016llx\n", (unsigned long long)digest);
}

// DTMF rendering and tone detection: the same samples and the same detections on every architecture (digests),
// every key found where it was rendered, and the beep's frequency.
void test_tones() {
  const std::string keys = "0123456789*#ABCD";
  std::vector<int16_t> pcm(dtmf_length(keys, 70, 70));
  dtmf_render(keys, 70, 70, pcm.data());
  std::printf("digest dtmf-render %016llx\n", (unsigned long long)fnv(pcm.data(), pcm.size() * 2));
  // Keys, a 1 kHz beep of 300 ms at -12 dBm0 and noise, through one detector in odd chunks.
  std::vector<int16_t> x(pcm);
  for (int i = 0; i < 8 * 300; i++) x.push_back((int16_t)std::lround(7163.0 * sinpi_det(2.0 * 1000.0 * i / 8000.0)));
  std::vector<int16_t> n = noise(8000, 99);
  for (int16_t& v : n) v = (int16_t)(v / 16);
  x.insert(x.end(), n.begin(), n.end());
  DtmfReceiver rx;
  BeepDetector beep;
  std::vector<ToneEvent> ev;
  for (size_t i = 0; i < x.size(); i += 77) {
    const size_t len = std::min<size_t>(77, x.size() - i);
    rx.push(x.data() + i, len, &ev);
    beep.push(x.data() + i, len, &ev);
  }
  std::string found;
  double beepHz = 0;
  for (const ToneEvent& e : ev) {
    if (e.key >= 0) found += kDtmfKeys[e.key];
    else beepHz = std::acos(e.cosine) * 8000 / (2 * M_PI);
  }
  CHECK(found == keys);
  CHECK(std::fabs(beepHz - 1000) < 1);
  std::printf("ok tones: %zu keys and a %.1f Hz beep found\n", found.size(), beepHz);
  uint64_t h = 1469598103934665603ull;
  for (const ToneEvent& e : ev) {
    h = fnv(&e.key, sizeof e.key, h);
    h = fnv(&e.startSample, sizeof e.startSample, h);
    h = fnv(&e.samples, sizeof e.samples, h);
    h = fnv(&e.cosine, sizeof e.cosine, h);
  }
  std::printf("digest tone-events %016llx\n", (unsigned long long)h);
}

}  // namespace

int main() {
  std::printf("kernels available: best=%s\n", best_kernels().name);
  test_ulaw();
  test_resampler();
  test_features();
  test_log10_det();
  test_feature_kernels();
  test_tones();
  std::printf("all kernel tests passed\n");
  return 0;
}
