#!/usr/bin/env bash
# Prints the nats-server configuration of one member of a station's once-only cluster, from
# config/nats-station.conf.template (README "A station's gates"). Used by install-pi.sh
# --station-cluster; the tests start real servers from its output.
#
#   scripts/deploy/nats-station-conf.sh NODE_NAME NODE_IP PEERS STATION_NAME STORE_DIR TLS_DIR BUCKET DEVICES
#
# PEERS: the other members' IP addresses, comma-separated. Clients on 4222, routes on 6222,
# monitoring on 127.0.0.1:8222 (NATS_CLIENT_PORT, NATS_ROUTE_PORT, NATS_MONITOR_PORT change them).
# TLS_DIR holds the member's ca.pem, member.pem and member.key (from
# scripts/deploy/station-keys.sh); DEVICES: the gates and windows allowed in, comma-separated (each
# connects with the client certificate station-keys.sh made for it). Closed always: there is no
# configuration without TLS and authorization.
set -euo pipefail
[ $# = 8 ] || { echo "usage: nats-station-conf.sh NODE_NAME NODE_IP PEERS STATION_NAME STORE_DIR TLS_DIR BUCKET DEVICES" >&2; exit 2; }
name="$1"; ip="$2"; peers="$3"; station="$4"; store="$5"; tls="$6"; bucket="$7"; devices="$8"
case "$name" in *[!a-z0-9-]*|'') echo "nats-station-conf: bad node name: $name" >&2; exit 2 ;; esac
case "$station" in *[!a-z0-9-]*|'') echo "nats-station-conf: bad station name: $station" >&2; exit 2 ;; esac
case "$ip" in *[!0-9a-fA-F.:]*|'') echo "nats-station-conf: bad node IP: $ip" >&2; exit 2 ;; esac
case "$peers" in *[!0-9a-fA-F.:,]*|'') echo "nats-station-conf: bad peers: $peers" >&2; exit 2 ;; esac
case "$store" in /*) ;; *) echo "nats-station-conf: the store dir must be absolute" >&2; exit 2 ;; esac
case "$tls" in /*) ;; *) echo "nats-station-conf: the TLS dir must be absolute" >&2; exit 2 ;; esac
case "$tls" in *[!A-Za-z0-9_./-]*) echo "nats-station-conf: the TLS dir: only letters, digits and _ . / -" >&2; exit 2 ;; esac
case "$bucket" in *[!A-Za-z0-9_-]*|'') echo "nats-station-conf: bad bucket name: $bucket" >&2; exit 2 ;; esac
case "$devices" in *[!a-z0-9,-]*|'') echo "nats-station-conf: bad devices (names a-z, 0-9, -, comma-separated): $devices" >&2; exit 2 ;; esac
cport="${NATS_CLIENT_PORT:-4222}"; rport="${NATS_ROUTE_PORT:-6222}"; mport="${NATS_MONITOR_PORT:-8222}"
for port in "$cport" "$rport" "$mport"; do
  case "$port" in *[!0-9]*|'') echo "nats-station-conf: bad port: $port" >&2; exit 2 ;; esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
host() { case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }
awk -v name="$name" -v client="$(host "$ip"):$cport" -v cluster="$(host "$ip"):$rport" -v store="$store" \
    -v station="$station" -v peers="$peers" -v tls="$tls" -v bucket="$bucket" -v devices="$devices" -v rport="$rport" -v monitor="127.0.0.1:$mport" '
  BEGIN { n = split(peers, p, ","); d = split(devices, dev, ",") }
  /^@ROUTES@$/ {
    for (i = 1; i <= n; i++) if (p[i] != "") {
      h = p[i]; if (index(h, ":") > 0) h = "[" h "]"
      printf "    \"nats-route://%s:%s\"\n", h, rport
    }
    next
  }
  /^@USERS@$/ {
    # The certificate subject station-keys.sh gives a device, as nats-server reads it (RFC 2253).
    for (i = 1; i <= d; i++) if (dev[i] != "") printf "    { user: \"CN=%s,OU=device,O=roadscan station %s\", permissions: $DEVICE }\n", dev[i], station
    next
  }
  {
    gsub(/@SERVER_NAME@/, name); gsub(/@CLIENT_LISTEN@/, client); gsub(/@CLUSTER_LISTEN@/, cluster)
    gsub(/@HTTP_LISTEN@/, monitor); gsub(/@STORE_DIR@/, store); gsub(/@CLUSTER_NAME@/, station)
    gsub(/@CA_FILE@/, tls "/ca.pem"); gsub(/@MEMBER_CERT@/, tls "/member.pem"); gsub(/@MEMBER_KEY@/, tls "/member.key")
    gsub(/@BUCKET@/, bucket)
    print
  }' "$here/config/nats-station.conf.template"
