#!/bin/sh
# bench:machine on this commit with the patched XState (this tree) and with XState as published on npm (a temporary
# worktree of the same commit whose node_modules links to this tree's, except xstate, fetched from the registry),
# alternating, so both see the same machine at nearly the same moment.
# Usage (after npm install): sh bench/machine-ab.sh [pairs=2] [extra bench:machine flags]
#                            sh bench/machine-ab.sh callgrind      (instructions per event, both builds)
set -eu
pairs=${1:-2}
[ $# -gt 0 ] && shift
root=$(pwd)
wt=$(mktemp -d /tmp/gca-xstate-published.XXXXXX)
trap 'git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"' EXIT
git worktree add --detach "$wt" HEAD >/dev/null
mkdir "$wt/node_modules"
for e in "$root"/node_modules/* "$root"/node_modules/.bin; do
  [ "$(basename "$e")" = xstate ] || ln -s "$e" "$wt/node_modules/$(basename "$e")"
done
version=$(node -p "require('$root/node_modules/xstate/package.json').version")
(cd "$wt" && npm pack "xstate@$version" --silent >/dev/null && mkdir node_modules/xstate &&
  tar xzf "xstate-$version.tgz" -C node_modules/xstate --strip-components=1 && rm "xstate-$version.tgz")
ln -s "$root/build" "$wt/build"
npm run build >/dev/null
(cd "$wt" && npx tsc -p tsconfig.build.json && node scripts/copy-assets.mjs)
if [ "$pairs" = callgrind ]; then
  echo "patched:   $(sh bench/machine-callgrind.sh)"
  echo "published: $(cd "$wt" && sh "$root/bench/machine-callgrind.sh")"
  exit 0
fi
for i in $(seq 1 "$pairs"); do
  echo "=== patched, pair $i, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  node dist/bench/machine.js --repeats 3 "$@"
  echo "=== published, pair $i, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$wt" && node dist/bench/machine.js --repeats 3 "$@")
done
