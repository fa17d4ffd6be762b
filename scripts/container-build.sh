#!/usr/bin/env bash
# The build recipe of the container image, in one place: the Dockerfile runs these steps, and
# test/ops/image-recipe.test.ts runs the very same steps on a clean copy of the repository (there is no
# Docker engine in CI), then starts the result. Change the recipe here, not in the Dockerfile.
#
#   container-build.sh deps                 npm ci without scripts, then the native addon (node-gyp)
#   container-build.sh compile              the model files, TypeScript → dist/ (+ SQL/CSS assets)
#   container-build.sh assemble OUT_DIR     production tree: prod deps + dist/ + the built addon
#
# Runs in the repository root (the builder's /src).
set -euo pipefail

step=${1:-}
log() { printf 'container-build: %s\n' "$*" >&2; }

case "$step" in
  deps)
    # --ignore-scripts: the root's "prepare" (tsc) needs the sources, which come in a later layer.
    npm ci --ignore-scripts --no-audit --no-fund
    log "building the DSP addon (node-gyp, $(node -p 'process.arch'))"
    npm run -s install
    test -f build/Release/gym_dsp.node
    ;;
  compile)
    # The model files npm ci --ignore-scripts did not fetch (scripts/fetch-models.mjs: from the npm registry).
    node scripts/fetch-models.mjs
    npm run -s build
    test -f dist/src/main.js || { log "dist/src/main.js missing after the build"; exit 1; }
    chmod 0755 dist/src/cli/main.js
    ;;
  assemble)
    out=${2:?usage: container-build.sh assemble OUT_DIR}
    mkdir -p "$out/build/Release"
    cp package.json package-lock.json binding.gyp "$out/"
    cp build/Release/gym_dsp.node "$out/build/Release/"
    cp -R dist "$out/dist"
    cp -R models "$out/models"
    rm -rf "$out/dist/test" "$out/dist/bench"
    # A wrapper, not a symlink to main.js: node resolves a symlinked entry to its real path, and the CLI's
    # "am I the main module" check then compares different paths and silently does nothing.
    mkdir -p "$out/bin"
    cat >"$out/bin/gym-agent" <<'WRAPPER'
#!/bin/sh
exec node "$(dirname "$(readlink -f "$0")")/../dist/src/cli/main.js" "$@"
WRAPPER
    chmod 0755 "$out/bin/gym-agent"
    (
      cd "$out"
      # Scripts stay off: the root's prepare needs dev tools; the two optional ws accelerators are rebuilt below.
      npm ci --omit=dev --ignore-scripts --no-audit --no-fund
      npm rebuild bufferutil utf-8-validate >/dev/null
      abi=$(node -p 'process.versions.modules')
      arch=$(node -p 'process.arch')
      # uWebSockets.js ships 18 prebuilt binaries (92 MB); this platform needs one.
      keep="uws_linux_${arch}_${abi}.node"
      test -f "node_modules/uWebSockets.js/binaries/$keep" || { log "no $keep in uWebSockets.js"; exit 1; }
      find node_modules/uWebSockets.js/binaries -name '*.node' ! -name "$keep" -delete
      # Type declarations and source maps are never loaded at run time.
      find node_modules \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -type f -delete
      rm -f package-lock.json
    )
    log "runtime tree: $(du -sh "$out" | cut -f1) in $out"
    ;;
  *)
    echo "usage: container-build.sh deps | compile | assemble OUT_DIR" >&2
    exit 2
    ;;
esac
