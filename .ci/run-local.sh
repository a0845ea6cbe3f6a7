#!/usr/bin/env bash
# 'make run': starts the civil registry simulator and the gateway in the foreground with the
# development config; Ctrl-C stops both. Requests the simulator receives are recorded in var/sim/.
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p var/sim

sim_pids=()
gateway_pid=""
stop() {
  trap - INT TERM EXIT
  [[ -n $gateway_pid ]] && kill -TERM "$gateway_pid" 2>/dev/null || true
  for pid in "${sim_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
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

"$build_dir/bin/vikno" serve --config config/vikno.jsonc &
gateway_pid=$!
for _ in $(seq 1 100); do  # ready when /healthz answers, as a supervisor would check
  curl -fsS -o /dev/null --cacert $pki/ca-chain.crt https://127.0.0.1:8080/healthz 2>/dev/null && break
  kill -0 "$gateway_pid" 2>/dev/null || { echo "the gateway did not start (see above)"; exit 1; }
  sleep 0.1
done

cat <<MSG

Vikno is running: gateway https://127.0.0.1:8080; simulators of the civil registry :8091, the real
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
wait "$gateway_pid"
