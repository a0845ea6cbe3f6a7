#!/usr/bin/env bash
# The unit tests of the SDK, the gateway and every plugin under AddressSanitizer (with its leak
# checker) and UndefinedBehaviorSanitizer, built with clang in build-fuzz/: the fuzz targets' tree,
# so one instrumented build serves both. A leak, a bad access or undefined behaviour fails.
#   tests/sanitize/run.sh            (CI runs it after 'make test')
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=(sdk_tests gateway_tests civil_registry_tests real_estate_tests igov_tests business_tests diia_tests
  demographic_registry_tests tax_registry_tests store_tests)

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DVIKNO_FUZZ=ON >/dev/null
cmake --build build-fuzz --target "${targets[@]}" test_pki -j "$(nproc)"

# The store suite runs against PostgreSQL too: a throwaway cluster of its own, stopped on the way out.
bash tests/support/pg_test_cluster.sh start build-fuzz/pg-test
trap 'bash tests/support/pg_test_cluster.sh stop build-fuzz/pg-test' EXIT
VIKNO_TEST_PG=$(cat build-fuzz/pg-test/conninfo)
export VIKNO_TEST_PG

export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=()
for target in "${targets[@]}"; do
  echo "sanitize: $target"
  if ! "build-fuzz/bin/$target" --gtest_brief=1 >"build-fuzz/$target.log" 2>&1; then
    tail -n 60 "build-fuzz/$target.log"
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "sanitize: FAILED: ${failed[*]} (full output in build-fuzz/<target>.log)"
  exit 1
fi
echo "sanitize: ${#targets[@]} unit-test programs passed under ASan, LeakSanitizer and UBSan"
