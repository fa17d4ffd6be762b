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
};

struct Kernels {
  const char* name;
  // Produces outputs while the next output's newest input sample is inside buf; advances *pos (in 1/L input
  // samples, relative to the first new sample). Returns the number of samples written to out.
  size_t (*resample)(const ResampleArgs& a, int64_t* pos, int16_t* out);
  void (*ulaw_encode)(const int16_t* in, uint8_t* out, size_t n);
};

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

inline int16_t finish_sample(int64_t acc) {
  int64_t v = (acc + (int64_t(1) << 20)) >> 21;
  if (v > 32767) v = 32767;
  if (v < -32768) v = -32768;
  return (int16_t)v;
}

// Four outputs of a plain decimator (L == 1) share the coefficient loads: out[i] uses x + i*M.
using Dot4Fn = void (*)(const int16_t* x, int stride, const int16_t* hi, const int16_t* lo, int k, int64_t* acc);

// The polyphase loop shared by all kernels; only the dot products differ. L == 1 (plain decimation) avoids the
// 64-bit division per output and, when the kernel has one, uses the 4-output dot product.
template <int64_t (*Dot)(const int16_t*, const int16_t*, const int16_t*, int), Dot4Fn Dot4 = nullptr>
inline size_t resample_loop(const ResampleArgs& a, int64_t* pos, int16_t* out) {
  size_t n = 0;
  int64_t p = *pos;
  const int64_t lim = (int64_t)a.avail * a.L;
  if (a.L == 1) {
    if constexpr (Dot4 != nullptr) {
      int64_t acc[4];
      for (; p + 3 * a.M < lim; p += 4 * a.M) {
        Dot4(a.buf + p, a.M, a.hi, a.lo, a.K, acc);
        for (int i = 0; i < 4; i++) out[n++] = finish_sample(acc[i]);
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
