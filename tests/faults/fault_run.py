#!/usr/bin/env python3
"""Fault runs at scale (docs/reliability.md): a registry that stops answering, and a disk that fills up.

Each run starts registry simulators and a gateway from the build, puts load on it from several
clients, injects the fault, ends it, waits until every accepted case is final and prints:

  accepted, lost, wrongly failed, done twice, unrecorded registry effects   (all 0 expected
  except accepted), and the recovery time after the fault ended.

A "registry effect" is a request the simulator carried out (recorded, not a replay). It is
unrecorded when no completed case accounts for it: the registry did the work and Vikno does not
know. Exit status 0 when every expected zero is zero.

Usage: tests/faults/run.sh [stall|disk|instances|all] [--build DIR] [--seconds N] [--kills N]
"""

import argparse
import calendar
import datetime
import http.client
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SAMPLES = {
    "civil_registry": "birth-extract",
    "real_estate": "property-by-cadastral-number",
    "igov": "igov-create-order",
}
SERVICE_PREFIX = {"civil_registry": "drac.", "real_estate": "drrp.", "igov": "igov."}
FINAL = {"completed", "rejected", "failed", "partly_completed", "cancelled"}


class Build:
    def __init__(self, folder):
        self.folder = os.path.abspath(folder)
        self.bin = os.path.join(self.folder, "bin")
        self.pki = os.path.join(self.folder, "pki")
        self.plugins = os.path.join(self.folder, "lib", "plugins")
        if not os.path.exists(os.path.join(self.bin, "vikno")):
            sys.exit(f"fault run: no gateway in {self.bin}; run 'make build' first (or pass --build DIR)")

    def cert(self, name):
        return os.path.join(self.pki, name)


def wait_ready(path, process, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"fault run: {what} exited with {process.returncode} before it was ready")
        if os.path.exists(path):
            text = open(path).read()
            if text.endswith("\n"):
                return text.strip()
        time.sleep(0.02)
    sys.exit(f"fault run: {what} was not ready after {timeout} s")


class Stack:
    """Simulators and one gateway in a scratch folder; stops what it started."""

    def __init__(self, build, scratch, var_dir=None, min_free_bytes=None, postgres=None, callback_url=None):
        self.build = build
        self.dir = scratch
        self.var = var_dir or scratch
        self.min_free_bytes = min_free_bytes
        self.postgres = postgres  # libpq connection string: every gateway an instance on it
        self.callback_url = callback_url  # the CNAP back-end's events endpoint
        self.registries = {}  # name -> (process, port)
        self.gateways = {}  # name -> [process, address, config path]
        self.gateway = None
        self.address = None
        self.client_context = ssl.create_default_context(cafile=build.cert("ca-chain.crt"))
        self.client_context.check_hostname = False
        self.client_context.load_cert_chain(build.cert("office-vinnytsia.crt"), build.cert("office-vinnytsia.key"))

    def start_registry(self, name, options=()):
        record = os.path.join(self.dir, "sim-" + name)
        os.makedirs(record, exist_ok=True)
        ready = record + ".ready"
        c = self.build.cert
        argv = [os.path.join(self.build.bin, "vikno-sim-" + name), "--port", "0", "--record", record,
                "--ready-file", ready, "--tls-cert", c(name + "-tls.crt"), "--tls-key", c(name + "-tls.key"),
                "--client-ca", c("ca-chain.crt"), "--signing-cert", c(name + "-signing.crt"),
                "--signing-key", c(name + "-signing.key"), "--client-signing-cert", c("gateway-signing.crt"),
                *options]
        process = subprocess.Popen(argv, stdout=open(record + ".log", "w"), stderr=subprocess.STDOUT)
        port = wait_ready(ready, process, "the " + name + " simulator").rsplit(":", 1)[1]
        self.registries[name] = (process, port)

    def start_gateway(self, dispatch, name="gateway", offices=None, extra=None):
        c = self.build.cert
        ready = os.path.join(self.dir, name + ".ready")
        if os.path.exists(ready):
            os.unlink(ready)
        store = {"path": os.path.join(self.var, "vikno.db")}
        if self.min_free_bytes is not None:
            store["min_free_bytes"] = self.min_free_bytes
        if self.postgres:
            store.update({"postgres": self.postgres, "lease_ms": 3000})
        office = {"id": "vinnytsia-po-01", "services": ["*"]}
        if self.callback_url:
            office.update({"callback_url": self.callback_url, "callback_hosts": ["127.0.0.1"]})
        config = {
            "server": {"listen": "127.0.0.1:0", "ready_file": ready, "threads": 16,
                       "tls": {"certificate": c("gateway-tls.crt"), "key": c("gateway-tls.key"),
                               "client_ca": c("cnap-ca.crt")}},
            "offices": offices or [office],
            "callbacks": {"tls_ca": c("cnap-ca.crt"), "backoff_initial_ms": 50, "backoff_max_ms": 500},
            "signing": {"certificate": c("gateway-signing.crt"), "key": c("gateway-signing.key")},
            "registry_tls": {"certificate": c("gateway-tls.crt"), "key": c("gateway-tls.key")},
            "store": store,
            "dispatch": dispatch,
            "xroad": {"member_code": "12345678"},
            "log": {"level": "info", "file": os.path.join(self.dir, name + ".log")},
            "audit": {"dir": os.path.join(self.var, "audit"), "checkpoint_entries": 500, "checkpoint_seconds": 5},
            "plugins": {"dir": self.build.plugins, "load": [
                {"file": f"libvikno-{name}.so", "endpoint": f"https://127.0.0.1:{port}/",
                 "tls_ca": c("ca-chain.crt"), "answer_certificate": c(name + "-signing.crt")}
                for name, (_, port) in self.registries.items()]},
        }
        config.update(extra or {})
        path = os.path.join(self.dir, name + ".json")
        with open(path, "w") as out:
            json.dump(config, out, indent=1)
        process = subprocess.Popen([os.path.join(self.build.bin, "vikno"), "serve", "--config", path],
                                   stdout=open(os.path.join(self.dir, name + ".out"), "a"), stderr=subprocess.STDOUT)
        address = wait_ready(ready, process, "the gateway " + name)
        self.gateways[name] = [process, address, path]
        if self.gateway is None or name == "gateway":
            self.gateway, self.address = process, address
        return address

    def kill_gateway(self, name):
        process = self.gateways[name][0]
        process.kill()
        process.wait()

    def request(self, method, path, body=None, headers=None, timeout=30, address=None):
        host, port = (address or self.address).rsplit(":", 1)
        connection = http.client.HTTPSConnection(host, int(port), context=self.client_context, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            reply = connection.getresponse()
            return reply.status, dict(reply.getheaders()), reply.read()
        finally:
            connection.close()

    def records(self, name):
        index = os.path.join(self.dir, "sim-" + name, "index.jsonl")
        if not os.path.exists(index):
            return []
        return [json.loads(line) for line in open(index) if line.strip()]

    def stop(self):
        for process, _, _ in self.gateways.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
        for process, _ in self.registries.values():
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.terminate()
                process.wait(10)


class Clients:
    """`per_registry` clients per registry, each submitting at most `rate` cases a second."""

    def __init__(self, stack, registries, per_registry=2, rate=20, addresses=None):
        self.stack = stack
        self.addresses = addresses  # several instances: each case to the next, skipping one that is down
        self.turn = 0
        self.lock = threading.Lock()
        self.accepted = []  # (case id, registry, accepted at)
        self.refused = {}  # "503 storage-full" -> count
        self.missing_retry_after = 0
        self.stopping = False
        self.threads = [threading.Thread(target=self.run, args=(name, rate), daemon=True)
                        for name in registries for _ in range(per_registry)]
        self.body = {name: open(os.path.join(ROOT, "config", "samples", SAMPLES[name] + ".json"), "rb").read()
                     for name in registries}
        for thread in self.threads:
            thread.start()

    def run(self, registry, rate):
        while not self.stopping:
            started = time.time()
            key = "fault-" + uuid.uuid4().hex
            status, headers, body = 0, {}, b""
            # As a load balancer does: an instance that does not answer gets the case's next try.
            for attempt in range(len(self.addresses) if self.addresses else 1):
                with self.lock:
                    self.turn += 1
                    address = self.addresses[self.turn % len(self.addresses)] if self.addresses else None
                try:
                    status, headers, body = self.stack.request(
                        "POST", "/v1/cases", self.body[registry],
                        {"Content-Type": "application/json", "Idempotency-Key": key}, address=address)
                    break
                except (OSError, http.client.HTTPException) as error:
                    status, headers, body = 0, {}, str(error).encode()
            with self.lock:
                if status == 202:
                    self.accepted.append((json.loads(body)["id"], registry, time.time()))
                else:
                    kind = ""
                    if headers.get("Content-Type", "").startswith("application/problem+json"):
                        kind = json.loads(body)["type"].rsplit(":", 1)[-1]
                    key = f"{status} {kind}".strip()
                    self.refused[key] = self.refused.get(key, 0) + 1
                    if status == 503 and "Retry-After" not in headers:
                        self.missing_retry_after += 1
            time.sleep(max(0.0, 1.0 / rate - (time.time() - started)))

    def count(self, registry=None, since=0.0):
        with self.lock:
            return sum(1 for _, name, at in self.accepted if (registry is None or name == registry) and at >= since)

    def stop(self):
        self.stopping = True
        for thread in self.threads:
            thread.join()


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def settle(stack, clients, timeout):
    """Waits until every accepted case is final; returns {case id: (registry, status or None, accepted at,
    seconds from acceptance to the final status)}."""
    pending = {case_id: registry for case_id, registry, _ in clients.accepted}
    final = {}
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        for case_id in list(pending):
            status, _, body = stack.request("GET", "/v1/cases/" + case_id)
            case = json.loads(body) if status == 200 else {}
            if case.get("status") in FINAL:
                created = moment(case["created_at"])
                final[case_id] = (pending.pop(case_id), case["status"], created, moment(case["updated_at"]) - created)
        if pending:
            time.sleep(0.5)
    for case_id, registry in pending.items():
        final[case_id] = (registry, None, 0.0, 0.0)
    return final


def p99(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.99))] if values else 0.0


def completed_in_store(conninfo):
    """Completed cases per service in the gateways' own store: what Vikno recorded, including cases
    whose 202 no client saw (its instance was killed after the commit)."""
    out = subprocess.run(["psql", conninfo, "-qAt", "-c", "SELECT service, COUNT(*) FROM cases WHERE status = "
                          "'completed' GROUP BY service"], capture_output=True, text=True, check=True).stdout
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.splitlines() if "|" in line}


def tally(stack, clients, final, store_completed=None):
    """The figures every run prints; returns (line, every expected zero is zero). `store_completed`
    (completed cases per service, from the store) counts recorded effects where clients may not
    know every accepted case."""
    lost = sum(1 for _, status, _, _ in final.values() if status is None)
    failed = sum(1 for _, status, _, _ in final.values() if status not in (None, "completed"))
    done_twice = 0
    unrecorded = 0
    for name in stack.registries:
        done = {}
        for record in stack.records(name):
            if not record.get("replay") and record.get("message_id"):
                done[record["message_id"]] = done.get(record["message_id"], 0) + 1
        done_twice += sum(1 for n in done.values() if n > 1)
        completed = sum(1 for registry, status, _, _ in final.values() if registry == name and status == "completed")
        if store_completed is not None:
            completed = sum(n for service, n in store_completed.items() if service.startswith(SERVICE_PREFIX[name]))
        unrecorded += max(0, len(done) - completed)
    line = (f"accepted {len(final)}, lost {lost}, wrongly failed {failed}, done twice {done_twice}, "
            f"unrecorded registry effects {unrecorded}")
    return line, lost == failed == done_twice == unrecorded == 0


def registry_state(stack, name):
    _, _, body = stack.request("GET", "/v1/registries")
    for registry in json.loads(body)["registries"]:
        if registry["name"] == name:
            return registry
    return {}


def stall_run(build, seconds, max_in_flight):
    """The civil registry is stopped (SIGSTOP) under load for `seconds`; real estate goes on."""
    scratch = tempfile.mkdtemp(prefix="vikno-fault-stall-")
    stack = Stack(build, scratch)
    try:
        stack.start_registry("civil_registry")
        stack.start_registry("real_estate")
        stack.start_gateway({"workers": 8, "registry_max_in_flight": max_in_flight,
                             "request_timeout_ms": 3000, "connect_timeout_ms": 1000,
                             "max_attempts": 8, "backoff_initial_ms": 200, "backoff_max_ms": 2000,
                             "breaker_failures": 5, "breaker_cooldown_ms": 2000, "breaker_max_cooldown_ms": 4000})
        civil_clients = Clients(stack, ["civil_registry"], per_registry=2, rate=20)
        clients = Clients(stack, ["real_estate"], per_registry=2, rate=20)

        def carried_out(name):
            return len({r["message_id"] for r in stack.records(name) if not r.get("replay")})

        time.sleep(5)
        before_start, before = time.time(), carried_out("real_estate")
        time.sleep(5)
        rate_before = (carried_out("real_estate") - before) / (time.time() - before_start)
        civil = stack.registries["civil_registry"][0]
        civil.send_signal(signal.SIGSTOP)
        stopped_at, during = time.time(), carried_out("real_estate")
        time.sleep(seconds)
        rate_during = (carried_out("real_estate") - during) / (time.time() - stopped_at)
        breaker = registry_state(stack, "civil_registry")
        civil_clients.stop()  # the civil backlog is now fixed: recovery is the time to carry it out
        civil.send_signal(signal.SIGCONT)
        resumed_at = time.time()
        civil_accepted = civil_clients.count()
        while carried_out("civil_registry") < civil_accepted and time.time() - resumed_at < 120:
            time.sleep(0.1)
        recovery = time.time() - resumed_at
        time.sleep(max(0.0, 5 - recovery))
        clients.stop()
        clients.accepted += civil_clients.accepted
        final = settle(stack, clients, timeout=180)
        line, ok = tally(stack, clients, final)
        ratio = rate_during / rate_before if rate_before else 0.0

        def real_estate_p99(start, end):
            return p99([took for registry, _, at, took in final.values()
                        if registry == "real_estate" and start <= at < end]) * 1000
        limit = max_in_flight or 6
        print(f"stalled registry ({seconds} s SIGSTOP of civil_registry; 8 workers, {limit} per registry, "
              f"3 s deadline):")
        print(f"  {line}")
        print(f"  real estate completed {rate_before:.1f}/s before, {rate_during:.1f}/s during the stall "
              f"(ratio {ratio:.2f}); time to result p99 {real_estate_p99(before_start, stopped_at):.0f} ms before, "
              f"{real_estate_p99(stopped_at, resumed_at):.0f} ms during")
        print(f"  the civil breaker opened {breaker.get('times_opened', 0)} time(s) during the stall")
        print(f"  recovery: the registry had carried out all {civil_accepted} civil cases {recovery:.1f} s after "
              f"SIGCONT (breaker cooldown 2-4 s, retry backoff up to 2 s)")
        return ok and ratio >= 0.5
    finally:
        stack.stop()
        print(f"  scratch folder: {scratch}")


class EventReceiver:
    """The CNAP back-end's events endpoint (HTTPS): every event in the order it arrived."""

    def __init__(self, build):
        import http.server
        receiver = self
        self.lock = threading.Lock()
        self.arrivals = []  # (case id, seq, event id, status)

        class Handler(http.server.BaseHTTPRequestHandler):
            # HTTP/1.1 with a length: a close without TLS close_notify would read as a cut answer.
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with receiver.lock:
                    receiver.arrivals.append((body["case_id"], body["seq"], body["event_id"], body["status"]))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(build.cert("cnap-backend-tls.crt"), build.cert("cnap-backend-tls.key"))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def out_of_order(self):
        """Cases whose events first arrived out of their order (a later one before an earlier one)."""
        first = {}
        with self.lock:
            for case_id, seq, event_id, _ in self.arrivals:
                first.setdefault(event_id, (case_id, seq))
        last = {}
        bad = set()
        for case_id, seq in first.values():
            if seq < last.get(case_id, -1):
                bad.add(case_id)
            last[case_id] = max(seq, last.get(case_id, -1))
        return bad

    def final_statuses(self):
        with self.lock:
            return {case_id for case_id, _, _, status in self.arrivals if status == "completed"}


def instances_run(build, kills, instances=3):
    """Several gateways on one PostgreSQL under load; random ones killed (kill -9) and restarted,
    PostgreSQL itself restarted once half way."""
    scratch = tempfile.mkdtemp(prefix="vikno-fault-instances-")
    os.chmod(scratch, 0o755)  # the database server's user reaches its folder in it
    cluster = os.path.join(scratch, "pg")
    script = os.path.join(ROOT, "tests", "support", "pg_test_cluster.sh")
    subprocess.run(["bash", script, "start", cluster], check=True, capture_output=True)
    conninfo = open(os.path.join(cluster, "conninfo")).read().strip()
    receiver = EventReceiver(build)
    stack = Stack(build, scratch, postgres=conninfo, callback_url=receiver.url)
    rng = random.Random(7)
    try:
        stack.start_registry("civil_registry", ["--latency-ms", "20"])
        dispatch = {"workers": 4, "max_attempts": 100, "backoff_initial_ms": 100, "backoff_max_ms": 1000,
                    "request_timeout_ms": 3000}
        names = [f"gw{i}" for i in range(instances)]
        addresses = [stack.start_gateway(dispatch, name) for name in names]
        clients = Clients(stack, ["civil_registry"], per_registry=3, rate=15, addresses=addresses)
        time.sleep(3)
        restarted_db = False
        for kill in range(kills):
            victim = rng.randrange(instances)
            stack.kill_gateway(names[victim])
            if kill == kills // 2:
                subprocess.run(["bash", script, "restart", cluster], check=True, capture_output=True)
                restarted_db = True
            addresses[victim] = stack.start_gateway(dispatch, names[victim])
            time.sleep(rng.uniform(0.5, 1.5))
        clients.stop()
        stack.address = addresses[0]
        final = settle(stack, clients, timeout=240)
        line, ok = tally(stack, clients, final, store_completed=completed_in_store(conninfo))
        # Every event reaches the back-end, each case's in order.
        deadline = time.time() + 120
        completed = {case_id for case_id, (_, status, _, _) in final.items() if status == "completed"}
        while not completed <= receiver.final_statuses() and time.time() < deadline:
            time.sleep(0.2)
        missing_events = len(completed - receiver.final_statuses())
        out_of_order = len(receiver.out_of_order())
        stack.stop()
        pulled = os.path.join(scratch, "pulled")
        subprocess.run([os.path.join(build.bin, "vikno"), "audit", "pull", "--postgres", conninfo, "--dir", pulled],
                       check=True, capture_output=True)
        verify = subprocess.run([os.path.join(build.bin, "vikno"), "audit", "verify", "--dir", pulled, "--cert",
                                 build.cert("gateway-signing.crt")], capture_output=True, text=True)
        finals = {}
        for entry_line in open(os.path.join(pulled, "entries.jsonl")):
            entry = json.loads(entry_line)
            if entry.get("kind") == "case" and entry.get("status") == "completed":
                finals[entry["case_id"]] = finals.get(entry["case_id"], 0) + 1
        ended_twice = sum(1 for n in finals.values() if n > 1)
        print(f"{instances} instances on one PostgreSQL, {kills} kill -9 of random instances"
              f"{' and one PostgreSQL restart' if restarted_db else ''}, under load:")
        print(f"  {line}")
        print(f"  events: {missing_events} completed cases without their event at the back-end, {out_of_order} cases "
              f"with events out of order")
        # The end of a case and its audit entry are one commit (Dispatcher::end_case): a kill before it
        # leaves neither, and the instance that sends the case again logs its end once.
        unlogged = len(completed - set(finals))
        print(f"  audit: verify {'OK' if verify.returncode == 0 else 'FAILED'} "
              f"({verify.stdout.strip().splitlines()[-1]}); {ended_twice} cases logged as ended twice, "
              f"{unlogged} completed cases without their end in the log")
        return (ok and missing_events == 0 and out_of_order == 0 and verify.returncode == 0 and ended_twice == 0
                and unlogged == 0)
    finally:
        stack.stop()
        receiver.server.shutdown()
        subprocess.run(["bash", script, "stop", cluster], capture_output=True)
        print(f"  scratch folder: {scratch}")


def mount_tmpfs(folder, mib):
    os.makedirs(folder, exist_ok=True)
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={mib}m,mode=0700", "tmpfs", folder],
                            capture_output=True, text=True)
    return None if result.returncode == 0 else (result.stderr.strip() or "mount failed")


def fill(folder):
    with open(os.path.join(folder, "filler"), "ab", buffering=0) as out:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            try:
                while True:
                    out.write(b"f" * size)
            except OSError:
                pass


def disk_run(build, seconds):
    """The gateway's var/ is a 30 MB tmpfs; it is filled under load, held full, then freed."""
    scratch = tempfile.mkdtemp(prefix="vikno-fault-disk-")
    var = os.path.join(scratch, "var")
    refusal = mount_tmpfs(var, 30)
    if refusal:
        print(f"full disk: skipped ({refusal}); run as root where mount(2) is allowed")
        return True
    stack = Stack(build, scratch, var_dir=var, min_free_bytes=2 << 20)
    try:
        stack.start_registry("civil_registry", ["--latency-ms", "20"])
        stack.start_registry("igov", ["--latency-ms", "20"])
        stack.start_gateway({"workers": 8, "max_attempts": 8, "backoff_initial_ms": 200, "backoff_max_ms": 2000})
        clients = Clients(stack, ["civil_registry", "igov"], per_registry=2, rate=25)
        time.sleep(5)
        fill(var)
        filled_at = time.time()
        time.sleep(seconds)
        status, _, _ = stack.request("GET", "/healthz")
        os.unlink(os.path.join(var, "filler"))
        freed_at = time.time()
        while stack.request("GET", "/healthz")[0] != 200 and time.time() - freed_at < 60:
            time.sleep(0.05)
        accepting_after = time.time() - freed_at
        time.sleep(5)
        clients.stop()
        final = settle(stack, clients, timeout=180)
        drained_after = time.time() - freed_at
        line, ok = tally(stack, clients, final)
        stack.stop()
        verify = subprocess.run([os.path.join(build.bin, "vikno"), "audit", "verify", "--dir",
                                 os.path.join(var, "audit"), "--cert", build.cert("gateway-signing.crt")],
                                capture_output=True, text=True)
        log = open(os.path.join(scratch, "gateway.log")).read()
        log_lines = sum(1 for line in log.splitlines()
                        if filled_at <= parse_time(line) <= freed_at) if log else 0
        print(f"full disk (30 MB tmpfs under var/, filled for {seconds} s under load, then freed):")
        print(f"  {line}")
        print(f"  while full: /healthz {status}; refusals {dict(sorted(clients.refused.items()))}, "
              f"{clients.missing_retry_after} without Retry-After; {log_lines} log lines "
              f"({log_lines / seconds:.1f}/s)")
        print(f"  recovery: taking cases {accepting_after:.2f} s after the space was freed; every accepted case "
              f"final {drained_after:.1f} s after (load went on for 5 s of it)")
        print(f"  audit verify: {'OK' if verify.returncode == 0 else 'FAILED'}"
              f" ({verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else verify.stderr.strip()})")
        return ok and verify.returncode == 0 and clients.missing_retry_after == 0
    finally:
        stack.stop()
        subprocess.run(["umount", "-l", var], capture_output=True)
        print(f"  scratch folder: {scratch}")


def parse_time(line):
    """Seconds since the epoch of a log line (the gateway logs UTC, to the millisecond)."""
    try:
        return calendar.timegm(time.strptime(line[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + line[19:23])
    except ValueError:
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", nargs="?", default="all", choices=["stall", "disk", "instances", "all"])
    parser.add_argument("--kills", type=int, default=20, help="kill -9 of random instances in the instances run")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--seconds", type=int, default=20, help="how long each fault lasts (default 20)")
    parser.add_argument("--registry-max-in-flight", type=int, default=0,
                        help="dispatch.registry_max_in_flight for the stall run (default 0: 6 of the 8 workers; "
                             "8 shows what happens without a limit)")
    options = parser.parse_args()
    build = Build(options.build)
    ok = True
    if options.run in ("stall", "all"):
        ok = stall_run(build, options.seconds, options.registry_max_in_flight) and ok
    if options.run in ("disk", "all"):
        ok = disk_run(build, options.seconds) and ok
    if options.run in ("instances", "all"):
        ok = instances_run(build, options.kills) and ok
    print("fault run:", "every expected zero is zero" if ok else "FAILED: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())
