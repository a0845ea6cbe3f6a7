#!/usr/bin/env python3
"""A gateway on a given store, idle: how long GET /metrics takes, and the CPU and memory of a
gateway with nothing to do (docs/performance.md, "Idle, and /metrics").

  tests/bench/idle/idle_gateway.py --store COPY-OF-vikno.db [--build build] [--seconds 20]
  tests/bench/idle/idle_gateway.py --postgres CONNINFO [--build build] [--seconds 20]

The store is used in place (copy it first: a newer gateway adds its tables to it). A store of N cases
comes from `vikno-load --fill N --keep` (build/bench-scratch/load-PID/sqlite-1/vikno.db); for an idle
figure its outbox must be empty (every case final). A PostgreSQL database is used as it is (the
gateway is one instance on it).
"""
import argparse
import http.client
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "faults"))
import fault_run  # noqa: E402  (the fault runs' stack: simulator and gateway as processes)


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="the SQLite store the gateway opens (used in place)")
    where.add_argument("--postgres", help="libpq connection string of the PostgreSQL store")
    parser.add_argument("--build", default=os.path.join(fault_run.ROOT, "build"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    build = fault_run.Build(args.build)
    scratch = tempfile.mkdtemp(prefix="vikno-idle-")
    if args.postgres:
        stack = fault_run.Stack(build, scratch, postgres=args.postgres)
    else:
        store = os.path.abspath(args.store)
        if os.path.basename(store) != "vikno.db":
            sys.exit("idle_gateway: the store must be named vikno.db (the gateway's var/ layout)")
        stack = fault_run.Stack(build, scratch, var_dir=os.path.dirname(store))
    try:
        stack.start_registry("civil_registry")
        started = time.time()
        stack.start_gateway({"workers": 8})
        ready_s = time.time() - started
        host, port = stack.address.rsplit(":", 1)
        connection = http.client.HTTPSConnection(host, int(port), context=stack.client_context)
        times, body = [], b""
        for _ in range(args.requests):
            begun = time.perf_counter()
            connection.request("GET", "/metrics")
            body = connection.getresponse().read()
            times.append((time.perf_counter() - begun) * 1000)
        times.sort()
        cases = sum(int(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
                    if line.startswith("vikno_cases{"))
        time.sleep(3)  # start-up work done
        pid = stack.gateway.pid
        before, since = cpu_ticks(pid), time.time()
        time.sleep(args.seconds)
        cpu = 100.0 * (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK") / (time.time() - since)
        rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS"))
        print(f"{cases} cases; ready in {ready_s:.2f} s; GET /metrics median {times[len(times) // 2]:.1f} ms, "
              f"max {times[-1]:.1f} ms; idle CPU {cpu:.2f} % of a core over {args.seconds:.0f} s; "
              f"RSS {rss // 1024} MiB")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
