#!/usr/bin/env bash
# 'make run': starts the civil registry simulator and the gateway in the foreground with the
# development config; Ctrl-C stops both. Requests the simulator receives are recorded in var/sim/.
# 'make run STORE=postgres': a throwaway PostgreSQL in var/pg and two gateway instances on it
# (:8080 and :8081; docs/operations.md), in place of the one gateway on SQLite.
set -euo pipefail
build_dir=${1:-build}
store=${2:-sqlite}
cd "$(dirname "$0")/.."
mkdir -p var/sim

sim_pids=()
gateway_pids=()
stop() {
  trap "" INT TERM  # a second Ctrl-C must not cut the clean-up short
  trap - EXIT
  for pid in "${gateway_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${sim_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ $store == postgres ]] && bash tests/support/pg_test_cluster.sh stop var/pg
  echo "stopped"
}
trap stop INT TERM EXIT

wait_for_file() {  # wait_for_file FILE PID WHAT
  for _ in $(seq 1 100); do
    [[ -s $1 ]] && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 did not start (see above)"; exit 1; }
    sleep 0.1
  done
  echo "$3 did not become ready in 10 s"; exit 1
}

certs/make-dev-pki.sh  # makes certs/dev/ once; keys never leave this machine
pki=certs/dev

# start_simulator NAME PORT RECORD_DIR [OPTIONS...]: a registry simulator over HTTPS that checks the
# gateway's signatures and signs its answers, recording into RECORD_DIR.
start_simulator() {
  local ready=var/sim-$1.ready
  rm -f "$ready"
  mkdir -p "$3"
  "$build_dir/bin/vikno-sim-$1" --port "$2" --record "$3" --ready-file "$ready" \
    --tls-cert $pki/$1-tls.crt --tls-key $pki/$1-tls.key --client-ca $pki/ca-chain.crt \
    --signing-cert $pki/$1-signing.crt --signing-key $pki/$1-signing.key \
    --client-signing-cert $pki/gateway-signing.crt "${@:4}" &
  sim_pids+=($!)
  wait_for_file "$ready" "$!" "the $1 simulator"
}
start_simulator civil_registry 8091 var/sim
start_simulator real_estate 8092 var/sim-real_estate
start_simulator igov 8093 var/sim-igov
start_simulator business 8094 var/sim-business
start_simulator demographic_registry 8096 var/sim-demographic_registry
start_simulator tax_registry 8097 var/sim-tax_registry
# Diia plays the applicant too: it calls the gateway back once the deep link is "opened".
start_simulator diia 8095 var/sim-diia --callback-url https://127.0.0.1:8080/v1/callbacks/diia --callback-delay-ms 1500

# start_gateway CONFIG PORT: a gateway, ready when /healthz answers (as a supervisor would check).
start_gateway() {
  "$build_dir/bin/vikno" serve --config "$1" &
  gateway_pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null --cacert $pki/ca-chain.crt "https://127.0.0.1:$2/healthz" 2>/dev/null && return 0
    kill -0 "${gateway_pids[-1]}" 2>/dev/null || { echo "the gateway on :$2 did not start (see above)"; exit 1; }
    sleep 0.1
  done
  echo "the gateway on :$2 did not become ready in 10 s"; exit 1
}

if [[ $store == postgres ]]; then
  bash tests/support/pg_test_cluster.sh start var/pg
  conninfo=$(cat var/pg/conninfo)
  # The development config with the store in PostgreSQL, once per instance (its own port and log).
  for port in 8080 8081; do
    sed -e "s|\"listen\": \"127.0.0.1:8080\"|\"listen\": \"127.0.0.1:$port\"|" \
        -e "s|\"listen\": \"127.0.0.1:8443\"|\"listen\": \"127.0.0.1:$((port + 363))\"|" \
        -e "s|\"path\": \"var/vikno.db\"|\"postgres\": \"$conninfo\"|" config/vikno.jsonc >"var/vikno-$port.jsonc"
    start_gateway "var/vikno-$port.jsonc" "$port"
  done
  echo
  echo "Two gateway instances on one PostgreSQL: https://127.0.0.1:8080 and https://127.0.0.1:8081 (give"
  echo "clients both, or put HAProxy in front: docs/operations.md). The audit log is in the database:"
  echo "  $build_dir/bin/vikno audit pull --postgres \"$conninfo\" --dir var/audit-pulled"
else
  start_gateway config/vikno.jsonc 8080
fi

cat <<MSG

Vikno is running: gateway https://127.0.0.1:8080, its web console https://127.0.0.1:8443/console/
(a person's certificate: certs/dev/console-auditor.p12, docs/console.md); simulators of the civil registry :8091, the real
property register :8092, the iGov portal :8093, the business register :8094, Diia :8095, the demographic register :8096 and the taxpayer register :8097 (requests recorded in var/sim*/; certificates in
certs/dev/; audit log in var/audit/). Try, in another terminal:

  $build_dir/bin/vikno submit config/samples/birth-extract.json --wait
  $build_dir/bin/vikno submit config/samples/property-by-cadastral-number.json --wait
  $build_dir/bin/vikno submit config/samples/igov-create-order.json --wait
  $build_dir/bin/vikno submit config/samples/business-extract.json --wait
  $build_dir/bin/vikno submit config/samples/newborn-unzr.json --wait
  $build_dir/bin/vikno submit config/samples/newborn-rnokpp.json --wait
  $build_dir/bin/vikno submit config/samples/fop-tax-registration.json --wait
  $build_dir/bin/vikno submit config/samples/situation-emalyatko.json --wait   (a life situation: 7 steps)
  $build_dir/bin/vikno submit config/samples/diia-document-request.json --wait   (Diia calls back)

  curl -s --cacert $pki/ca-chain.crt --cert $pki/office-kyiv.crt --key $pki/office-kyiv.key \\
       -X POST https://127.0.0.1:8080/v1/cases -H 'Content-Type: application/json' \\
       -H "Idempotency-Key: \$(date +%s%N)" --data @config/samples/death-extract.json
  curl -s --cacert $pki/ca-chain.crt --cert $pki/office-kyiv.crt --key $pki/office-kyiv.key \\
       https://127.0.0.1:8080/v1/cases/<id from the answer>

Ctrl-C stops everything.
MSG
wait "${gateway_pids[0]}"
