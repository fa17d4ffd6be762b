{
  "targets": [
    {
      "target_name": "gym_dsp",
      "sources": [
        "native/src/addon.cc",
        "native/src/design.cc",
        "native/src/dispatch.cc",
        "native/src/features.cc",
        "native/src/features_neon.cc",
        "native/src/features_x86.cc",
        "native/src/kernels_neon.cc",
        "native/src/kernels_scalar.cc",
        "native/src/kernels_x86.cc",
        "native/src/resampler.cc",
        "native/src/tones.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags": ["-O3"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-ffp-contract=off", "-Wall", "-Wextra"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off"]
      }
    }
  ]
}
