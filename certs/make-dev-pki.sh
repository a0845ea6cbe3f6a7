#!/usr/bin/env bash
# Makes a complete development PKI with the openssl CLI (see certs/README.md for what each file is).
#
#   certs/make-dev-pki.sh [--rsa] [--force] [--registry NAME]... [DIR]      (DIR defaults to certs/dev)
#
# Idempotent: a finished PKI (DIR/.complete) is left alone unless --force is given. Keys are 0600.
# --registry NAME (repeatable) also issues NAME-signing and NAME-tls for a registry of your own (a
# plugin built outside this tree, whose simulator needs them); given for a finished PKI, it adds
# what is missing there, issued by the same CA, and leaves the rest alone. The SDK installs this
# script as vikno-dev-pki. Never use these files outside development and tests: the keys are not
# protected.
set -euo pipefail

signing_alg=ec
force=0
dir=""
extra_registries=()
expect_registry=0
for arg in "$@"; do
  if ((expect_registry)); then
    [[ $arg =~ ^[a-z][a-z0-9_]*$ ]] || { echo "make-dev-pki: --registry $arg: expected a plugin name (a-z, 0-9, _)" >&2; exit 2; }
    extra_registries+=("$arg"); expect_registry=0; continue
  fi
  case $arg in
    --rsa) signing_alg=rsa ;;
    --force) force=1 ;;
    --registry) expect_registry=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "make-dev-pki: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) dir=$arg ;;
  esac
done
((expect_registry)) && { echo "make-dev-pki: --registry needs a name" >&2; exit 2; }
dir=${dir:-"$(cd "$(dirname "$0")" && pwd)/dev"}
registries=(civil_registry real_estate business igov diia demographic_registry tax_registry "${extra_registries[@]}")

# Bumped whenever this script issues new files, so an older PKI is made again with them.
pki_version=4
if [[ -f $dir/.complete && $force == 0 && $(head -n1 "$dir/.complete") == "version $pki_version" ]]; then
  missing=()
  for registry in "${extra_registries[@]}"; do
    [[ -f $dir/$registry-signing.crt && -f $dir/$registry-tls.crt ]] || missing+=("$registry")
  done
  ((${#missing[@]} == 0)) && exit 0
  add_to_existing=1
else
  add_to_existing=0
fi
command -v openssl >/dev/null || { echo "make-dev-pki: openssl is not installed (apt-get install openssl)" >&2; exit 1; }

issue_registry() {  # issue_registry NAME: its answer-signing and TLS certificates (with the chain)
  issue "$1-signing" "$1 registry simulator (answer signing)" issuing-ca signing ec
  issue "$1-tls" "localhost" issuing-ca tls ec "DNS:localhost,IP:127.0.0.1,IP:::1"
  cat issuing-ca.crt >>"$1-tls.crt"
}

# Build in a scratch folder and move it into place, so a half-made PKI is never used.
mkdir -p "$(dirname "$dir")"
work=$(mktemp -d "$(dirname "$dir")/.pki.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077
cd "$work"

new_key() {  # new_key FILE ec|rsa
  if [[ $2 == rsa ]]; then
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
  else
    openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
  fi
}

# self_signed_ca NAME SUBJECT_CN
self_signed_ca() {
  new_key "$1.key" ec
  openssl req -new -x509 -key "$1.key" -out "$1.crt" -days 3650 -sha256 -subj "/C=UA/O=Vikno development/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
}

# issue NAME CN ISSUER PROFILE KEYALG [SAN]: a certificate for NAME.key signed by ISSUER.
issue() {
  local name=$1 cn=$2 issuer=$3 profile=$4 alg=$5 san=${6:-}
  new_key "$name.key" "$alg"
  openssl req -new -key "$name.key" -out "$name.csr" -subj "/C=UA/O=Vikno development/CN=$cn"
  {
    echo "authorityKeyIdentifier=keyid"
    echo "subjectKeyIdentifier=hash"
    case $profile in
      ca) echo "basicConstraints=critical,CA:TRUE,pathlen:0"; echo "keyUsage=critical,keyCertSign,cRLSign" ;;
      signing) echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature,nonRepudiation" ;;
      tls) echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
           echo "extendedKeyUsage=serverAuth,clientAuth" ;;
      client) echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature"
              echo "extendedKeyUsage=clientAuth" ;;
    esac
    [[ -n $san ]] && echo "subjectAltName=$san"
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" -CAcreateserial -days 825 -sha256 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

# An already expired certificate: 'openssl ca' is the CLI's only way to set past dates in OpenSSL 3.0.
issue_expired() {  # issue_expired NAME CN ISSUER
  new_key "$1.key" ec
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/C=UA/O=Vikno development/CN=$2"
  mkdir -p ca-db && : >ca-db/index.txt && echo 1000 >ca-db/serial
  cat >ca-db/ca.cnf <<CNF
[ca]
default_ca = dev
[dev]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
x509_extensions = ext
[any]
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
CNF
  openssl ca -batch -notext -config ca-db/ca.cnf -cert "$3.crt" -keyfile "$3.key" -in "$1.csr" -out "$1.crt" \
    -startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null
  rm -rf "$1.csr" ca-db
}

# A finished PKI that lacks a --registry's certificates: issue just those, in place, by its CA.
if ((add_to_existing)); then
  cd "$dir"
  for registry in "${missing[@]}"; do issue_registry "$registry"; done
  rm -f ./*.srl
  chmod 600 ./*.key
  chmod 644 ./*.crt
  echo "make-dev-pki: issued ${missing[*]} in $dir (by its issuing CA)"
  exit 0
fi

localhost_san="DNS:localhost,IP:127.0.0.1,IP:::1"

# The registry side: a root, an issuing CA below it, and every party's signing and TLS certificates.
self_signed_ca root-ca "Vikno Dev Root CA"
issue issuing-ca "Vikno Dev Issuing CA" root-ca ca ec
cat issuing-ca.crt root-ca.crt >ca-chain.crt

issue gateway-signing "Vikno gateway (message signing)" issuing-ca signing "$signing_alg"
issue gateway-tls "localhost" issuing-ca tls ec "$localhost_san"
cat issuing-ca.crt >>gateway-tls.crt  # serve the chain, not only the leaf

for registry in "${registries[@]}"; do
  issue_registry "$registry"
done

# The CNAP side: its own CA issues the offices' client certificates; the gateway trusts only it.
self_signed_ca cnap-ca "CNAP Dev Client CA"
# The common name is the office id the gateway's config maps to permitted services.
issue office-vinnytsia "vinnytsia-po-01" cnap-ca client ec
issue office-kharkiv "kharkiv-cnap-03" cnap-ca client ec
issue office-kyiv "kyiv-cnap-11" cnap-ca client ec
# A CNAP back-end's server certificate, for the case-event callbacks (callbacks.tls_ca: cnap-ca.crt).
issue cnap-backend-tls "localhost" cnap-ca tls ec "$localhost_san"

# The web console's people (docs/console.md): a CA of their own, so that no office certificate gets
# into the console and no person's certificate submits cases. Common names are console.users[].name.
self_signed_ca console-ca "Vikno Dev Console CA"
issue console-auditor "auditor-olena" console-ca client ec
issue console-supervisor-vinnytsia "supervisor-vinnytsia" console-ca client ec
issue console-supervisor-kharkiv "supervisor-kharkiv" console-ca client ec
issue console-stranger "nobody-listed" console-ca client ec
# Browsers import a person's certificate with its key as PKCS#12 (password: vikno).
for person in console-auditor console-supervisor-vinnytsia console-supervisor-kharkiv; do
  openssl pkcs12 -export -in "$person.crt" -inkey "$person.key" -certfile console-ca.crt -name "$person" \
    -out "$person.p12" -passout pass:vikno
done

# For attack and failure tests: a stranger's CA and client, a stranger's signing key, an expired key.
self_signed_ca other-ca "Someone Else's CA"
issue other-client "vinnytsia-po-01" other-ca client ec
issue attacker-signing "civil_registry registry simulator (answer signing)" other-ca signing ec
issue_expired civil_registry-signing-expired "civil_registry registry simulator (expired)" issuing-ca

rm -f ./*.srl
chmod 600 ./*.key ./*.p12
chmod 644 ./*.crt
{ echo "version $pki_version"; date -u +%FT%TZ; } >.complete

cd - >/dev/null
rm -rf "$dir"
mv "$work" "$dir"
chmod 700 "$dir"
trap - EXIT
echo "make-dev-pki: development PKI in $dir (signing key: $signing_alg)"
