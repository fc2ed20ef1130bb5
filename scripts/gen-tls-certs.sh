#!/usr/bin/env bash
# Generates a private CA and the certificates a TLS engine and its clients need, with the
# openssl CLI (EC P-256 keys, valid DAYS days):
#   ca.crt ca.key           the CA (give ca.crt to clients and to --tls-ca-cert-file)
#   server.crt server.key   the engine's (--tls-cert-file, --tls-key-file); names: 127.0.0.1,
#                           localhost and any given in SERVER_NAMES (DNS names, comma-separated)
#   client.crt client.key   a client's, for --tls-auth-clients yes (redis-cli --cert/--key)
# For tests, benchmarks and trying it out; production certificates come from your own CA.
# Usage: scripts/gen-tls-certs.sh DIR [SERVER_NAMES] [DAYS]
set -euo pipefail
dir=${1:?usage: gen-tls-certs.sh DIR [SERVER_NAMES] [DAYS]}
names=${2:-}
days=${3:-365}
mkdir -p "$dir"
cd "$dir"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days "$days" -subj "/CN=Strongbox test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=keyCertSign,cRLSign" 2>/dev/null
san="subjectAltName=IP:127.0.0.1,DNS:localhost"
for n in ${names//,/ }; do san+=",DNS:$n"; done
sign() {  # name extension
  openssl req "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=strongbox-$1" 2>/dev/null
  printf '%s\n' "$2" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" \
    -days "$days" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
sign server "$san"
sign client "extendedKeyUsage=clientAuth"
# Readable by the engine's user in a container (a compose secret keeps the file's mode).
chmod 644 ./*.key ./*.crt
echo "gen-tls-certs: CA, server and client certificates in $dir"
