#!/usr/bin/env bash
# Prints the nats-server configuration of one member of a station's once-only cluster, from
# config/nats-station.conf.template (README "A station's gates"). Used by install-pi.sh
# --station-cluster; the tests check its output with `nats-server -t`.
#
#   scripts/nats-station-conf.sh NODE_NAME NODE_IP PEERS STATION_NAME STORE_DIR
#
# PEERS: the other members' IP addresses, comma-separated. Clients on 4222, routes on 6222,
# monitoring on 127.0.0.1:8222.
set -euo pipefail
[ $# = 5 ] || { echo "usage: nats-station-conf.sh NODE_NAME NODE_IP PEERS STATION_NAME STORE_DIR" >&2; exit 2; }
name="$1"; ip="$2"; peers="$3"; station="$4"; store="$5"
case "$name" in *[!a-z0-9-]*|'') echo "nats-station-conf: bad node name: $name" >&2; exit 2 ;; esac
case "$station" in *[!a-z0-9-]*|'') echo "nats-station-conf: bad station name: $station" >&2; exit 2 ;; esac
case "$ip" in *[!0-9a-fA-F.:]*|'') echo "nats-station-conf: bad node IP: $ip" >&2; exit 2 ;; esac
case "$peers" in *[!0-9a-fA-F.:,]*|'') echo "nats-station-conf: bad peers: $peers" >&2; exit 2 ;; esac
case "$store" in /*) ;; *) echo "nats-station-conf: the store dir must be absolute" >&2; exit 2 ;; esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
host() { case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }
awk -v name="$name" -v client="$(host "$ip"):4222" -v cluster="$(host "$ip"):6222" -v store="$store" \
    -v station="$station" -v peers="$peers" '
  BEGIN { n = split(peers, p, ",") }
  /^@ROUTES@$/ {
    for (i = 1; i <= n; i++) if (p[i] != "") {
      h = p[i]; if (index(h, ":") > 0) h = "[" h "]"
      printf "    \"nats-route://%s:6222\"\n", h
    }
    next
  }
  {
    gsub(/@SERVER_NAME@/, name); gsub(/@CLIENT_LISTEN@/, client); gsub(/@CLUSTER_LISTEN@/, cluster)
    gsub(/@HTTP_LISTEN@/, "127.0.0.1:8222"); gsub(/@STORE_DIR@/, store); gsub(/@CLUSTER_NAME@/, station)
    print
  }' "$here/config/nats-station.conf.template"
