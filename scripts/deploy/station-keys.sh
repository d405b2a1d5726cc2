#!/usr/bin/env bash
# Makes a station's key material once (README "A station's gates", issue 20): the station's own
# certificate authority, one server certificate per nats-server member (its IP address in the
# certificate: clients and the other members check it), and one client certificate per gate or
# window (its identity: nats-server maps the certificate's subject to a user allowed only this
# station's bucket). Run it on the first member (or any machine with openssl), then copy DIR to
# the others and run `install-pi.sh --station-cluster --station-keys DIR` on each; every member
# installs only its own certificate and key, the CA's key never leaves DIR.
#
#   scripts/deploy/station-keys.sh --out DIR --station NAME --member NAME=IP [--member ...] [--device NAME ...] [--days N]
#
# Re-running with the same DIR keeps what is there (the CA, every certificate made) and adds the
# members and devices not yet made; a device's certificate is renewed by deleting its two files
# and re-running. Private keys are written 0600. Every member is a device too (a gate beside it).
set -euo pipefail
out= station= days=3650
members=() devices=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:-}"; shift 2 ;;
    --station) station="${2:-}"; shift 2 ;;
    --member) members+=("${2:-}"); shift 2 ;;
    --device) devices+=("${2:-}"); shift 2 ;;
    --days) days="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "station-keys: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "station-keys: --out DIR is needed" >&2; exit 2; }
case "$station" in *[!a-z0-9-]*|'') echo "station-keys: --station needs a name (a-z, 0-9, -)" >&2; exit 2 ;; esac
case "$days" in *[!0-9]*|'') echo "station-keys: --days must be a number" >&2; exit 2 ;; esac
[ "${#members[@]}" -gt 0 ] || { echo "station-keys: at least one --member NAME=IP" >&2; exit 2; }
for m in "${members[@]}"; do
  name="${m%%=*}" ip="${m#*=}"
  case "$name" in *[!a-z0-9-]*|'') echo "station-keys: bad member name in $m" >&2; exit 2 ;; esac
  case "$ip" in *[!0-9a-fA-F.:]*|'') echo "station-keys: bad member IP in $m" >&2; exit 2 ;; esac
  [ "$name" != "$m" ] || { echo "station-keys: --member NAME=IP, got $m" >&2; exit 2; }
  devices+=("$name")
done
for d in "${devices[@]}"; do
  case "$d" in *[!a-z0-9-]*|'') echo "station-keys: bad device name: $d" >&2; exit 2 ;; esac
done

umask 077
mkdir -p "$out/members" "$out/devices"
ssl() { openssl "$@" 2>/dev/null; }
key() { ssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; chmod 0600 "$1"; }
if [ -e "$out/station" ] && [ "$(cat "$out/station")" != "$station" ]; then
  echo "station-keys: $out holds the keys of station $(cat "$out/station"), not $station" >&2; exit 2
fi
if [ ! -e "$out/ca.pem" ]; then
  key "$out/ca.key"
  ssl req -x509 -new -key "$out/ca.key" -out "$out/ca.pem" -days "$days" -subj "/O=roadscan station $station/CN=roadscan station $station CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  chmod 0644 "$out/ca.pem"
  echo "$station" >"$out/station"; chmod 0644 "$out/station"
  echo "station-keys: made the CA of station $station"
fi
# sign NAME SUBJECT EXTFILE: DIR/<NAME>.pem from a new key, signed by the station's CA.
sign() {
  local base="$1" subj="$2" ext="$3"
  key "$base.key"
  ssl req -new -key "$base.key" -out "$base.csr" -subj "$subj"
  ssl x509 -req -in "$base.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial -out "$base.pem" -days "$days" -extfile "$ext"
  chmod 0644 "$base.pem"; rm -f "$base.csr" "$ext"
}
for m in "${members[@]}"; do
  name="${m%%=*}" ip="${m#*=}"
  [ -e "$out/members/$name.pem" ] && continue
  printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n' "$ip" >"$out/members/$name.ext"
  sign "$out/members/$name" "/O=roadscan station $station/OU=member/CN=$name" "$out/members/$name.ext"
  echo "station-keys: member $name ($ip)"
done
for d in "${devices[@]}"; do
  [ -e "$out/devices/$d.pem" ] && continue
  printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >"$out/devices/$d.ext"
  sign "$out/devices/$d" "/O=roadscan station $station/OU=device/CN=$d" "$out/devices/$d.ext"
  echo "station-keys: device $d"
done
