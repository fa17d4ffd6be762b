#!/bin/sh
# Instructions per event of the call machine's dense turn, deterministic (callgrind), unlike CPU time on a shared
# VM: 100 call actors, the difference of 40 and 20 turns so start-up and JIT warm-up cancel out.
# Usage (after npm run build): sh bench/machine-callgrind.sh    (about 2 minutes)
set -eu
run() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded dist/bench/machine.js \
    --dense-only --actors 100 --rounds "$1" --repeats 1 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(run 20)
b=$(run 40)
echo "dense turn: $(((b - a) / (20 * 10 * 100))) instructions per event (20 turns: $a, 40 turns: $b)"
