# Thin wrapper for the two README commands. Everything real lives in CMake and .ci/.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: deps build run test bench load clean

deps:
	@bash .ci/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# STORE=postgres: two instances on a throwaway PostgreSQL (docs/operations.md).
STORE ?= sqlite
run: build
	@bash .ci/run-local.sh $(BUILD_DIR) $(STORE)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

# Signing figures for docs/performance.md; compare rows of one run, not across runs.
bench: build
	@$(BUILD_DIR)/bin/signing_bench --benchmark_min_time=1 --benchmark_counters_tabular=true
	@$(BUILD_DIR)/bin/audit_bench --benchmark_min_time=2

# National-scale load (docs/performance.md, "Load"): simulator + gateway with signing, mTLS, SQLite
# and the audit log on; about 7 minutes. Options: make load LOAD_ARGS="--rate 300 --fill 0"; the stores
# side by side: LOAD_ARGS="--stores sqlite,postgres,postgres-2 --rate 100,300 --fill 0".
load: build
	@$(BUILD_DIR)/bin/vikno-load $(LOAD_ARGS)

clean:
	rm -rf $(BUILD_DIR) var
