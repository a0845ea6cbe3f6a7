#!/bin/sh
# Fault runs at scale: a registry stopped under load, and the gateway's disk filled under load
# (docs/reliability.md). Needs a build (make build); the full-disk run needs root to mount a tmpfs.
#   tests/faults/run.sh [stall|disk|all] [--seconds N] [--build DIR]
exec python3 "$(dirname "$0")/fault_run.py" "$@"
