#!/usr/bin/env bash
# 'make run': starts the civil registry simulator and the gateway in the foreground with the
# development config; Ctrl-C stops both. Requests the simulator receives are recorded in var/sim/.
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p var/sim

sim_pid=""
estate_pid=""
gateway_pid=""
stop() {
  trap - INT TERM EXIT
  [[ -n $gateway_pid ]] && kill -TERM "$gateway_pid" 2>/dev/null || true
  [[ -n $sim_pid ]] && kill -TERM "$sim_pid" 2>/dev/null || true
  [[ -n $estate_pid ]] && kill -TERM "$estate_pid" 2>/dev/null || true
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

rm -f var/sim.ready
"$build_dir/bin/vikno-sim-civil_registry" --port 8091 --record var/sim --ready-file var/sim.ready \
  --tls-cert $pki/civil_registry-tls.crt --tls-key $pki/civil_registry-tls.key --client-ca $pki/ca-chain.crt \
  --signing-cert $pki/civil_registry-signing.crt --signing-key $pki/civil_registry-signing.key \
  --client-signing-cert $pki/gateway-signing.crt &
sim_pid=$!
wait_for_file var/sim.ready "$sim_pid" "the civil registry simulator"

rm -f var/sim-real_estate.ready
mkdir -p var/sim-real_estate
"$build_dir/bin/vikno-sim-real_estate" --port 8092 --record var/sim-real_estate --ready-file var/sim-real_estate.ready \
  --tls-cert $pki/real_estate-tls.crt --tls-key $pki/real_estate-tls.key --client-ca $pki/ca-chain.crt \
  --signing-cert $pki/real_estate-signing.crt --signing-key $pki/real_estate-signing.key \
  --client-signing-cert $pki/gateway-signing.crt &
estate_pid=$!
wait_for_file var/sim-real_estate.ready "$estate_pid" "the real estate simulator"

"$build_dir/bin/vikno" serve --config config/vikno.jsonc &
gateway_pid=$!
for _ in $(seq 1 100); do  # ready when /healthz answers, as a supervisor would check
  curl -fsS -o /dev/null --cacert $pki/ca-chain.crt https://127.0.0.1:8080/healthz 2>/dev/null && break
  kill -0 "$gateway_pid" 2>/dev/null || { echo "the gateway did not start (see above)"; exit 1; }
  sleep 0.1
done

cat <<MSG

Vikno is running: gateway https://127.0.0.1:8080, simulators of the civil registry https://127.0.0.1:8091
and of the real property register https://127.0.0.1:8092 (requests recorded in var/sim/ and
var/sim-real_estate/; certificates in certs/dev/; audit log in var/audit/). Try, in another terminal:

  $build_dir/bin/vikno submit config/samples/birth-extract.json --wait
  $build_dir/bin/vikno submit config/samples/property-by-cadastral-number.json --wait

  curl -s --cacert $pki/ca-chain.crt --cert $pki/office-kyiv.crt --key $pki/office-kyiv.key \\
       -X POST https://127.0.0.1:8080/v1/cases -H 'Content-Type: application/json' \\
       -H "Idempotency-Key: \$(date +%s%N)" --data @config/samples/death-extract.json
  curl -s --cacert $pki/ca-chain.crt --cert $pki/office-kyiv.crt --key $pki/office-kyiv.key \\
       https://127.0.0.1:8080/v1/cases/<id from the answer>

Ctrl-C stops everything.
MSG
wait "$gateway_pid"
