// Kernel table: one implementation per instruction set, chosen at run time. Every kernel uses integer
// arithmetic whose intermediate sums provably cannot overflow, so all of them give bit-identical output.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gymdsp {

struct ResampleArgs {
  const int16_t* buf;  // K-1 history samples followed by `avail` new ones
  size_t avail;
  int L, M, K;
  const int16_t* hi;  // per-phase reversed taps, see design.h
  const int16_t* lo;
  // Plain decimator with a symmetric (linear-phase) filter: kernels that fold mirrored input pairs may use
  // these scratch arrays (room for K-1+avail samples and (K-1+avail)/16+2 counts).
  bool symmetric = false;
  int16_t* rev = nullptr;
  int32_t* loud = nullptr;
};

// Exact integer sums of one VAD frame x[0..n) (features.cc turns them into the 3 features with the one shared
// floating-point step). band/same cover the fully-overlapped outputs i in [kBandTaps-1, n) of the speech-band
// FIR y[i] = (sum_j taps[j]*x[i-j]) >> 15 (arithmetic shift = floor).
struct FrameSums {
  int64_t energy = 0;     // sum of x[i]^2 over the frame (< 48000 * 2^30 < 2^46)
  int64_t band = 0;       // sum of y[i]^2 (|y| <= 61673, see BandFilter)
  int64_t same = 0;       // sum of x[i]^2 over the same i as band
  int64_t crossings = 0;  // i in [1, n) with (x[i-1] < 0) != (x[i] < 0)
};

// The 31-tap speech-band filter (design.cc) in the layouts the kernels use. Overflow bound, checked by the
// kernel tests: sum |taps| = 61673, so every partial sum of taps[j]*x[k] is below 61673 * 2^15 = 2,020,933,664
// < 2^31 in magnitude, whatever the order: an int32 accumulator (and a pmaddwd pair) cannot overflow, and
// |y| = |acc >> 15| <= 61673, so y^2 < 2^32 (needs a 64-bit or unsigned 32-bit square).
constexpr int kBandTaps = 31;
struct BandFilter {
  int16_t taps[32];   // taps[31] = 0 (padding to a whole number of pairs)
  int32_t pairs[16];  // pairs[p] = taps[2p] in the low, taps[2p+1] in the high 16 bits (pmaddwd operand)
  int64_t absSum;     // sum |taps|
};
const BandFilter& band_filter();

struct Kernels {
  const char* name;
  // Produces outputs while the next output's newest input sample is inside buf; advances *pos (in 1/L input
  // samples, relative to the first new sample). Returns the number of samples written to out.
  size_t (*resample)(const ResampleArgs& a, int64_t* pos, int16_t* out);
  void (*ulaw_encode)(const int16_t* in, uint8_t* out, size_t n);
  // Integer sums of one frame of n >= 1 samples (reads only x[0..n)).
  void (*frame_sums)(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s);
};

// Frame sums per instruction set (features_x86.cc, features_neon.cc; defined only on their architecture).
void frame_sums_sse2(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s);
void frame_sums_avx2(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s);
void frame_sums_vnni(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s);
void frame_sums_neon(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s);

const Kernels& scalar_kernels();
const Kernels* sse2_kernels();  // nullptr when not built for x86-64
const Kernels* avx2_kernels();  // nullptr when not built for x86-64 or no AVX2
const Kernels* vnni_kernels();  // AVX-512 VNNI on 256-bit vectors; nullptr when unsupported
const Kernels* neon_kernels();  // nullptr when not built for aarch64

// The kernels in use: the best the CPU supports, or scalar when forced (process-wide switch).
const Kernels& active_kernels();
const Kernels& best_kernels();
void set_force_scalar(bool on);
// C++ unit tests only: run one specific kernel set (nullptr restores normal dispatch).
void set_kernels_override(const Kernels* k);
bool force_scalar();

// Scalar helpers shared by all kernels (tails and the non-vectorised parts).
uint8_t ulaw_encode_sample(int16_t pcm);
extern const int16_t kUlawDecode[256];

// One speech-band output y[i] (xi = x + i, i >= kBandTaps-1), for the kernels' tails.
inline int64_t band_output(const int16_t* xi, const BandFilter& f) {
  int64_t acc = 0;
  for (int j = 0; j < kBandTaps; j++) acc += (int64_t)f.taps[j] * xi[-j];
  return acc >> 15;
}

// Scalar tails of the frame-sum kernels: sum of x[k]^2 and the count of sign changes x[k-1] -> x[k], k in [i, n).
inline int64_t sumsq_tail(const int16_t* x, size_t i, size_t n) {
  int64_t s = 0;
  for (; i < n; i++) s += (int32_t)x[i] * x[i];
  return s;
}
inline int64_t crossings_tail(const int16_t* x, size_t i, size_t n) {
  int64_t c = 0;
  for (; i < n; i++) c += (x[i - 1] < 0) != (x[i] < 0);
  return c;
}

using SumFn = int64_t (*)(const int16_t* x, size_t n);
using BandFn = int64_t (*)(const int16_t* x, size_t n, const BandFilter& f);
// FrameSums from one instruction set's parts: sum of squares, crossings (over x[0..n)), band sum (n > 30).
// energy = squares of the first kBandTaps-1 samples + same, so the squares are computed once.
template <SumFn Sumsq, SumFn Crossings, BandFn Band>
void frame_sums_from(const int16_t* x, size_t n, const BandFilter& f, FrameSums* s) {
  constexpr size_t first = kBandTaps - 1;
  s->crossings = Crossings(x, n);
  s->same = n > first ? Sumsq(x + first, n - first) : 0;
  s->energy = Sumsq(x, n < first ? n : first) + s->same;
  s->band = n > first ? Band(x, n, f) : 0;
}

// finish_sample(hi*128 + lo) computed in int32 lanes: floor((128*hi + lo + 2^20) / 2^21) ==
// (hi + ((lo + 2^20) >> 7)) >> 14 (arithmetic shifts; the remainder of the inner shift is < 128 so it never
// carries into the outer one), then int16 saturation. Valid while |hi| + 2^23 < 2^31, which the design bound
// (sum |hi| * 32768 < 2^31 - 2^23, checked by the kernel tests) guarantees.
constexpr int32_t kFinishRound = 1 << 20;

inline int16_t finish_sample(int64_t acc) {
  int64_t v = (acc + (int64_t(1) << 20)) >> 21;
  if (v > 32767) v = 32767;
  if (v < -32768) v = -32768;
  return (int16_t)v;
}

// Four outputs of a plain decimator (L == 1) share the coefficient loads: out[i] uses x + i*M. Writes the four
// finished samples (finish_sample of hi_sum*128 + lo_sum).
using Dot4Fn = void (*)(const int16_t* x, int stride, const int16_t* hi, const int16_t* lo, int k, int16_t* out);
// The same four outputs from a symmetric filter: c[j] == c[K-1-j], so x[j]*c[j] + x[K-1-j]*c[j] is computed as
// (x[j] + x[K-1-j])*c[j], half the multiply-adds. xr[i*-stride + j] == x[i*stride + K-1-j] (a reversed copy).
// Exact only while every pair sum fits int16; the caller guarantees that (see fold_prepare), else uses Dot4.
using Fold4Fn = void (*)(const int16_t* x, const int16_t* xr, int stride, const int16_t* hi, const int16_t* lo, int k,
                         int16_t* out);
// Fills a.rev with buf reversed and a.loud with a prefix count of 16-sample blocks holding a sample outside
// [-16384, 16383] (whose pair sums could overflow int16). Returns false when folding does not apply.
using FoldPrepFn = bool (*)(const ResampleArgs& a);

// The polyphase loop shared by all kernels; only the dot products differ. L == 1 (plain decimation) avoids the
// 64-bit division per output and, when the kernel has one, uses the 4-output dot product.
template <int64_t (*Dot)(const int16_t*, const int16_t*, const int16_t*, int), Dot4Fn Dot4 = nullptr,
          Fold4Fn Fold4 = nullptr, FoldPrepFn FoldPrep = nullptr>
inline size_t resample_loop(const ResampleArgs& a, int64_t* pos, int16_t* out) {
  size_t n = 0;
  int64_t p = *pos;
  const int64_t lim = (int64_t)a.avail * a.L;
  if (a.L == 1) {
    if constexpr (Dot4 != nullptr) {
      bool fold = false;
      if constexpr (Fold4 != nullptr) fold = p + 3 * a.M < lim && FoldPrep(a);
      const int64_t last = (int64_t)a.K - 1 + a.avail - 1;  // index in buf of the newest sample
      const int span = 3 * a.M + a.K - 1;                      // buf samples one group of four outputs reads
      for (; p + 3 * a.M < lim; p += 4 * a.M) {
        if constexpr (Fold4 != nullptr) {
          if (fold && a.loud[(p + span) / 16 + 1] == a.loud[p / 16]) {
            Fold4(a.buf + p, a.rev + (last - (p + a.K - 1)), a.M, a.hi, a.lo, a.K, out + n);
            n += 4;
            continue;
          }
        }
        Dot4(a.buf + p, a.M, a.hi, a.lo, a.K, out + n);
        n += 4;
      }
    }
    for (; p < lim; p += a.M) out[n++] = finish_sample(Dot(a.buf + p, a.hi, a.lo, a.K));
  } else {
    for (; p < lim; p += a.M) {
      const int64_t idx = p / a.L;
      const int64_t ph = p - idx * a.L;
      out[n++] = finish_sample(Dot(a.buf + idx, a.hi + ph * a.K, a.lo + ph * a.K, a.K));
    }
  }
  *pos = p;
  return n;
}

}  // namespace gymdsp
