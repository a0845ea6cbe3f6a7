#!/usr/bin/env bash
# Proves that the N-th entry of an evidence bundle is in the signed audit log, with nothing but
# bash, jq and sha256sum: the RFC 9162 inclusion proof algorithm (section 2.1.3.2), step by step.
#   docs/tools/prove-entry.sh BUNDLE N
# Check the checkpoint's signature separately with openssl (docs/audit.md, step 2).
b=$1; n=$2
node() { printf "\\x01$(printf %s "$1$2" | sed 's/../\\x&/g')" | sha256sum | cut -c1-64; }
r=$( (printf '\x00'; jq -j ".entries[$n].entry" "$b") | sha256sum | cut -c1-64)
fn=$(jq -r ".entries[$n].index" "$b"); sn=$(( $(jq -r .checkpoint.tree_size "$b") - 1 ))
for p in $(jq -r ".entries[$n].inclusion_proof[]" "$b"); do
  [ "$sn" -eq 0 ] && { echo "NOT PROVEN"; exit 1; }
  if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    r=$(node "$p" "$r")
    if [ $((fn & 1)) -eq 0 ]; then
      while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn >> 1)); sn=$((sn >> 1)); done
    fi
  else
    r=$(node "$r" "$p")
  fi
  fn=$((fn >> 1)); sn=$((sn >> 1))
done
root=$(jq -r .checkpoint.root "$b")
if [ "$sn" -eq 0 ] && [ "$r" = "$root" ]; then echo "entry $n is in the log under root $root"; else echo "NOT PROVEN"; exit 1; fi
