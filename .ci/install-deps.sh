#!/usr/bin/env bash
# Installs the Debian 12 packages Vikno needs to build, test and run. Idempotent: it asks apt-get
# only for what is missing, so a second run on a ready machine is a no-op that takes a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libpoco-dev libssl-dev openssl libxml2-dev libxml2-utils libxmlsec1-dev xmlsec1
  libboost-dev libboost-filesystem-dev libspdlog-dev libfmt-dev libsqlite3-dev sqlite3
  libpq-dev postgresql-15
  libgtest-dev libgmock-dev libbenchmark-dev curl jq
  clang libclang-rt-14-dev
  chromium chromium-driver python3-selenium libnss3-tools fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The console's browser test (tests/console/console_test.py): chromium shows a client certificate
# without asking only where a policy says so. This one names https://127.0.0.1 on any port and
# nothing else; a real browser of a real auditor is not affected unless it opens localhost.
policy=/etc/chromium/policies/managed/vikno-console-test.json
policy_text='{"AutoSelectCertificateForUrls": ["{\"pattern\":\"https://127.0.0.1:*\",\"filter\":{}}"]}'
if [[ ! -f $policy || $(cat "$policy") != "$policy_text" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: $policy is missing and writing it needs root (the console's browser test needs it)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$policy")"
  printf '%s' "$policy_text" >"$policy"
fi
