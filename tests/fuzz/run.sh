#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan in build-fuzz/ and runs each for SECONDS
# (default 30) from the corpus in tests/fuzz/corpus/. A crash, a leak or undefined behaviour fails.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
# CI runs it briefly; for a long session: tests/fuzz/run.sh 3600 fuzz_soap_envelope
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_case_json fuzz_soap_envelope fuzz_signatures fuzz_http_response fuzz_registry_callback
  fuzz_plugin_answers)

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DVIKNO_FUZZ=ON >/dev/null
cmake --build build-fuzz --target "${targets[@]}" -j "$(nproc)"

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true  # the repo's seeds stay untouched
  echo "fuzz: $target for ${seconds}s"
  "build-fuzz/bin/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$corpus" 2>&1 | grep -E "DONE|^Done|stat::average_exec_per_sec|ERROR|SUMMARY|Test unit written" || true
  status=${PIPESTATUS[0]}
  if [[ $status -ne 0 ]]; then
    echo "fuzz: $target FAILED (exit $status); the crashing input is in the current folder (crash-*, leak-*)"
    exit 1
  fi
done
echo "fuzz: all targets ran ${seconds}s without a crash, leak or undefined behaviour"
