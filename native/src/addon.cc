// N-API export table. Thin on purpose: check arguments (TypeError/RangeError), hand the TypedArray memory to
// the kernels without copying, return a new TypedArray. One N-API call per chunk; no per-sample JS work.
#include <napi.h>

#include <stdexcept>
#include <string>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "features.h"
#include "kernels.h"
#include "resampler.h"
#include "tones.h"

namespace {

using gymdsp::Resampler;

// One napi_get_typedarray_info per array argument (it fails on anything that is not a TypedArray): the
// node-addon-api route (IsTypedArray, TypedArrayType, As<>) costs three N-API calls per argument, a visible
// share of a 20 ms chunk's work.
template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
};

template <typename T>
bool TypedArg(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want, View<T>* v) {
  if (i >= info.Length()) return false;
  napi_typedarray_type type;
  void* data = nullptr;
  if (napi_get_typedarray_info(info.Env(), info[i], &type, &v->length, &data, nullptr, nullptr) != napi_ok) {
    return false;
  }
  v->data = static_cast<T*>(data);
  return type == want;
}

View<int16_t> ArgInt16(const Napi::CallbackInfo& info, size_t i, const char* what) {
  View<int16_t> v;
  if (!TypedArg(info, i, napi_int16_array, &v)) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be an Int16Array");
  }
  return v;
}

View<uint8_t> ArgUint8(const Napi::CallbackInfo& info, size_t i, const char* what) {
  View<uint8_t> v;
  if (!TypedArg(info, i, napi_uint8_array, &v)) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Uint8Array (or Buffer)");
  }
  return v;
}

int ArgInt(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const Napi::Value v = info[i];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d == (double)(int)d)) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be an integer");
  return (int)d;
}

// Every producing call takes an optional output TypedArray and element offset as its last two arguments.
// Without them a new array is returned; with them the result is written at out[offset...] and the count is
// returned. The JS loader passes a pooled slab, which saves a V8 ArrayBuffer allocation per chunk (the largest
// part of the per-call cost).
template <typename Arr, typename T>
struct Out {
  Arr arr;  // only when the addon allocated the output
  T* ptr = nullptr;
  bool given = false;
  T* data() { return ptr; }
};

template <typename Arr, typename T>
Out<Arr, T> OutArray(const Napi::CallbackInfo& info, size_t i, size_t n, napi_typedarray_type type,
                     const char* typeName) {
  Out<Arr, T> o;
  if (info.Length() <= i || info[i].IsUndefined()) {
    o.arr = Arr::New(info.Env(), n);
    o.ptr = o.arr.Data();
    return o;
  }
  View<T> v;
  if (!TypedArg(info, i, type, &v)) throw Napi::TypeError::New(info.Env(), std::string("output must be a ") + typeName);
  o.given = true;
  size_t offset = 0;
  if (info.Length() > i + 1 && !info[i + 1].IsUndefined()) {
    const int off = ArgInt(info, i + 1, "output offset");
    if (off < 0) throw Napi::RangeError::New(info.Env(), "output offset must be >= 0");
    offset = (size_t)off;
  }
  if (offset > v.length || v.length - offset < n) {
    throw Napi::RangeError::New(info.Env(), "output array too small: needs " + std::to_string(n) + " elements");
  }
  o.ptr = v.data + offset;
  return o;
}

template <typename Arr, typename T>
Napi::Value Result(const Napi::CallbackInfo& info, const Out<Arr, T>& o, size_t n) {
  if (!o.given) return o.arr;
  return Napi::Number::New(info.Env(), (double)n);
}

Napi::Value UlawEncode(const Napi::CallbackInfo& info) {
  const View<int16_t> in = ArgInt16(info, 0, "pcm");
  const size_t n = in.length;
  auto out = OutArray<Napi::Uint8Array, uint8_t>(info, 1, n, napi_uint8_array, "Uint8Array");
  gymdsp::active_kernels().ulaw_encode(in.data, out.data(), n);
  return Result(info, out, n);
}

Napi::Value UlawDecode(const Napi::CallbackInfo& info) {
  const View<uint8_t> in = ArgUint8(info, 0, "mulaw");
  const size_t n = in.length;
  auto out = OutArray<Napi::Int16Array, int16_t>(info, 1, n, napi_int16_array, "Int16Array");
  const uint8_t* s = in.data;
  int16_t* d = out.data();
  for (size_t i = 0; i < n; i++) d[i] = gymdsp::kUlawDecode[s[i]];
  return Result(info, out, n);
}

Napi::Value FrameFeatures(const Napi::CallbackInfo& info) {
  const View<int16_t> in = ArgInt16(info, 0, "pcm");
  const int frame = ArgInt(info, 1, "frameSamples");
  if (frame < 2 || frame > 48000) throw Napi::RangeError::New(info.Env(), "frameSamples must be in 2..48000");
  const size_t frames = in.length / (size_t)frame;
  auto out = OutArray<Napi::Float32Array, float>(info, 2, frames * 3, napi_float32_array, "Float32Array");
  gymdsp::frame_features(in.data, in.length, (size_t)frame, out.data());
  return Result(info, out, frames * 3);
}

Napi::Value SetForceScalar(const Napi::CallbackInfo& info) {
  if (!info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "setForceScalar expects a boolean");
  gymdsp::set_force_scalar(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

Napi::Value KernelsName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gymdsp::active_kernels().name);
}

Napi::Value BestKernelsName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gymdsp::best_kernels().name);
}

Napi::Value DesignTaps(const Napi::CallbackInfo& info) {
  const int from = ArgInt(info, 0, "fromHz");
  const int to = ArgInt(info, 1, "toHz");
  gymdsp::PolyphaseDesign d;
  try {
    d = gymdsp::design_resampler(from, to);
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(info.Env(), e.what());
  }
  Napi::Int32Array out = Napi::Int32Array::New(info.Env(), d.proto.size());
  for (size_t i = 0; i < d.proto.size(); i++) out[i] = d.proto[i];
  return out;
}

// DTMF keys as μ-law 8 kHz, ready to send: dtmfRender(keys, toneMs, gapMs).
Napi::Value DtmfRender(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "keys must be a string");
  const std::string keys = info[0].As<Napi::String>().Utf8Value();
  const int toneMs = ArgInt(info, 1, "toneMs");
  const int gapMs = ArgInt(info, 2, "gapMs");
  size_t n = 0;
  try {
    n = gymdsp::dtmf_length(keys, toneMs, gapMs);
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(info.Env(), e.what());
  }
  std::vector<int16_t> pcm(n);
  gymdsp::dtmf_render(keys, toneMs, gapMs, pcm.data());
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), n);
  gymdsp::active_kernels().ulaw_encode(pcm.data(), out.Data(), n);
  return out;
}

// Streaming tone detection on 8 kHz PCM: DTMF keys and/or steady single tones (beeps). push() returns null, or the
// detections that ended in this chunk, oldest first.
class ToneDetectorWrap : public Napi::ObjectWrap<ToneDetectorWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "ToneDetector", {InstanceMethod<&ToneDetectorWrap::Push>("push")});
  }

  explicit ToneDetectorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ToneDetectorWrap>(info) {
    if (!info[0].IsBoolean() || !info[1].IsBoolean()) {
      throw Napi::TypeError::New(info.Env(), "ToneDetector(dtmf: boolean, beep: boolean)");
    }
    dtmf_ = info[0].As<Napi::Boolean>().Value();
    beep_ = info[1].As<Napi::Boolean>().Value();
  }

 private:
  Napi::Value Push(const Napi::CallbackInfo& info) {
    const View<int16_t> in = ArgInt16(info, 0, "pcm");
    events_.clear();
    if (dtmf_) dtmfRx_.push(in.data, in.length, &events_);
    if (beep_) beepRx_.push(in.data, in.length, &events_);
    if (events_.empty()) return info.Env().Null();
    Napi::Array out = Napi::Array::New(info.Env(), events_.size());
    for (size_t i = 0; i < events_.size(); i++) {
      const gymdsp::ToneEvent& e = events_[i];
      Napi::Object o = Napi::Object::New(info.Env());
      if (e.key >= 0) {
        o.Set("kind", "dtmf");
        o.Set("digit", std::string(1, gymdsp::kDtmfKeys[e.key]));
      } else {
        o.Set("kind", "tone");
        o.Set("cosine", e.cosine);
      }
      o.Set("startSample", (double)e.startSample);
      o.Set("samples", (double)e.samples);
      out[(uint32_t)i] = o;
    }
    return out;
  }

  bool dtmf_ = false;
  bool beep_ = false;
  gymdsp::DtmfReceiver dtmfRx_;
  gymdsp::BeepDetector beepRx_;
  std::vector<gymdsp::ToneEvent> events_;
};

class ResamplerWrap : public Napi::ObjectWrap<ResamplerWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Resampler",
                       {InstanceMethod<&ResamplerWrap::Push>("push"),
                        InstanceMethod<&ResamplerWrap::PushBytes>("pushBytes"),
                        InstanceMethod<&ResamplerWrap::PushUlaw>("pushUlaw"),
                        InstanceMethod<&ResamplerWrap::Flush>("flush"),
                        InstanceMethod<&ResamplerWrap::Info>("info")});
  }

  explicit ResamplerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ResamplerWrap>(info) {
    const int from = ArgInt(info, 0, "fromHz");
    const int to = ArgInt(info, 1, "toHz");
    try {
      r_ = std::make_unique<Resampler>(from, to);
    } catch (const std::invalid_argument& e) {
      throw Napi::RangeError::New(info.Env(), e.what());
    }
  }

 private:
  Napi::Value Push(const Napi::CallbackInfo& info) {
    const View<int16_t> in = ArgInt16(info, 0, "pcm");
    const size_t n = r_->output_count(in.length);
    auto out = OutArray<Napi::Int16Array, int16_t>(info, 1, n, napi_int16_array, "Int16Array");
    r_->push(in.data, in.length, out.data());
    return Result(info, out, n);
  }

  Napi::Value PushBytes(const Napi::CallbackInfo& info) {
    const View<uint8_t> in = ArgUint8(info, 0, "s16le");
    const size_t n = r_->output_count(r_->samples_in_bytes(in.length));
    auto out = OutArray<Napi::Int16Array, int16_t>(info, 1, n, napi_int16_array, "Int16Array");
    r_->push_bytes(in.data, in.length, out.data());
    return Result(info, out, n);
  }

  // Resample and μ-law encode in one call: what the outbound leg of a call does per chunk.
  Napi::Value PushUlaw(const Napi::CallbackInfo& info) {
    const View<int16_t> in = ArgInt16(info, 0, "pcm");
    const size_t n = r_->output_count(in.length);
    auto out = OutArray<Napi::Uint8Array, uint8_t>(info, 1, n, napi_uint8_array, "Uint8Array");
    r_->push_ulaw(in.data, in.length, out.data());
    return Result(info, out, n);
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Napi::Int16Array out = Napi::Int16Array::New(info.Env(), r_->output_count(r_->flush_len()));
    r_->flush(out.Data());
    return out;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    const gymdsp::PolyphaseDesign& d = r_->design();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("phases", d.L);
    o.Set("decimation", d.M);
    o.Set("tapsPerPhase", d.K);
    o.Set("groupDelayMs", d.groupDelayMs);
    o.Set("pendingByte", r_->has_pending_byte());
    return o;
  }

  std::unique_ptr<Resampler> r_;
};

// Gives the C heap's free pages back to the system (glibc's malloc_trim). Freed memory otherwise stays with the
// process in each thread's malloc arena: after a decoding thread has stopped, the memory its calls had freed is
// still counted in the RSS (docs/benchmarks/memory.md). True when memory was returned; false elsewhere (musl).
Napi::Value TrimMemory(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ulawEncode", Napi::Function::New<UlawEncode>(env, "ulawEncode"));
  exports.Set("ulawDecode", Napi::Function::New<UlawDecode>(env, "ulawDecode"));
  exports.Set("frameFeatures", Napi::Function::New<FrameFeatures>(env, "frameFeatures"));
  exports.Set("setForceScalar", Napi::Function::New<SetForceScalar>(env, "setForceScalar"));
  exports.Set("kernels", Napi::Function::New<KernelsName>(env, "kernels"));
  exports.Set("bestKernels", Napi::Function::New<BestKernelsName>(env, "bestKernels"));
  exports.Set("designTaps", Napi::Function::New<DesignTaps>(env, "designTaps"));
  exports.Set("Resampler", ResamplerWrap::Init(env));
  exports.Set("dtmfRender", Napi::Function::New<DtmfRender>(env, "dtmfRender"));
  exports.Set("ToneDetector", ToneDetectorWrap::Init(env));
  exports.Set("trimMemory", Napi::Function::New<TrimMemory>(env, "trimMemory"));
  return exports;
}

}  // namespace

NODE_API_MODULE(gym_dsp, Init)
