#include <atomic>

#include "kernels.h"

namespace gymdsp {

namespace {
std::atomic<bool> g_forceScalar{false};
std::atomic<const Kernels*> g_override{nullptr};
}  // namespace

void set_kernels_override(const Kernels* k) { g_override.store(k, std::memory_order_relaxed); }

const Kernels& best_kernels() {
  static const Kernels* best = [] {
    if (const Kernels* k = neon_kernels()) return k;
    if (const Kernels* k = vnni_kernels()) return k;
    if (const Kernels* k = avx2_kernels()) return k;
    if (const Kernels* k = sse2_kernels()) return k;
    return &scalar_kernels();
  }();
  return *best;
}

const Kernels& active_kernels() {
  if (const Kernels* k = g_override.load(std::memory_order_relaxed)) return *k;
  return g_forceScalar.load(std::memory_order_relaxed) ? scalar_kernels() : best_kernels();
}

void set_force_scalar(bool on) { g_forceScalar.store(on, std::memory_order_relaxed); }
bool force_scalar() { return g_forceScalar.load(std::memory_order_relaxed); }

}  // namespace gymdsp
