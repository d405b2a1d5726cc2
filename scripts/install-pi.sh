#!/usr/bin/env bash
# Installs roadscan as a service on a Raspberry Pi (Raspberry Pi OS bookworm, Node.js 20+):
# the package in PREFIX, a `roadscan` system user in the dialout and gpio groups, the
# configuration in /etc/roadscan/config.json (kept if present), the database in
# /var/lib/roadscan, a udev rule for LED class devices, and roadscan.service enabled.
# Run as root from the package folder (a clone or an unpacked release):
#
#   sudo scripts/install-pi.sh [--user roadscan] [--prefix /opt/roadscan] [--kiosk] [--no-start] [--dry-run]
#        [--station-cluster --node-name n1 --node-ip 10.0.0.11 --peers 10.0.0.12,10.0.0.13 [--station-name s1]]
#
# --kiosk also installs the operator screen (scripts/install-kiosk.sh); --dry-run prints what
# would be done without doing it. --station-cluster makes this unit one member of its station's
# once-only store (README "A station's gates"): nats-server with JetStream listening on
# --node-ip, routes to the --peers, roadscan-nats.service, and station.shared set to all three.
set -euo pipefail

user=roadscan
prefix=/opt/roadscan
kiosk=0
start=1
dry=0
cluster=0
node_name=
node_ip=
peers=
station_name=station
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --kiosk) kiosk=1; shift ;;
    --no-start) start=0; shift ;;
    --dry-run) dry=1; shift ;;
    --station-cluster) cluster=1; shift ;;
    --node-name) node_name="${2:-}"; shift 2 ;;
    --node-ip) node_ip="${2:-}"; shift 2 ;;
    --peers) peers="${2:-}"; shift 2 ;;
    --station-name) station_name="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install-pi: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$user" in *[!a-z0-9_-]*|'') echo "install-pi: bad user name: $user" >&2; exit 2 ;; esac
case "$prefix" in /*) ;; *) echo "install-pi: --prefix must be an absolute path" >&2; exit 2 ;; esac
if [ "$cluster" = 1 ]; then
  case "$node_name" in *[!a-z0-9-]*|'') echo "install-pi: --station-cluster needs --node-name (a-z, 0-9, -)" >&2; exit 2 ;; esac
  case "$station_name" in *[!a-z0-9-]*|'') echo "install-pi: bad --station-name: $station_name" >&2; exit 2 ;; esac
  case "$node_ip" in *[!0-9a-fA-F.:]*|'') echo "install-pi: --station-cluster needs --node-ip (an IP address)" >&2; exit 2 ;; esac
  case "$peers" in *[!0-9a-fA-F.:,]*|'') echo "install-pi: --station-cluster needs --peers (IP,IP: the other members)" >&2; exit 2 ;; esac
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run() { if [ "$dry" = 1 ]; then echo "+ $*"; else "$@"; fi; }
write() { # write FILE MODE < content
  if [ "$dry" = 1 ]; then echo "+ write $1 (mode $2)"; cat >/dev/null; else cat >"$1"; chmod "$2" "$1"; fi
}

if [ "$dry" = 0 ] && [ "$(id -u)" != 0 ]; then echo "install-pi: run as root (sudo)" >&2; exit 2; fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "install-pi: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "  Install the current LTS, e.g. from https://nodejs.org or the NodeSource repository, then rerun." >&2
  exit 2
fi

# Only what builds the native modules, and only for the build: the tools this script installs
# are removed again afterwards, so the device keeps no compiler.
build_tools=""
for p in build-essential python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || build_tools="$build_tools $p"
done
if [ -n "$build_tools" ]; then
  echo "install-pi: build tools for the native modules, removed after the build:$build_tools"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $build_tools
fi

echo "install-pi: user $user (groups dialout for the scanner, gpio for LEDs and buzzer)"
if ! id "$user" >/dev/null 2>&1; then run useradd --system --home-dir /var/lib/roadscan --shell /usr/sbin/nologin "$user"; fi
getent group gpio >/dev/null 2>&1 || run groupadd --system gpio
run usermod -a -G dialout,gpio "$user"

echo "install-pi: package in $prefix"
run mkdir -p "$prefix"
if [ "$here" != "$prefix" ]; then
  run tar -C "$here" --exclude=./node_modules --exclude=./.git --exclude=./data --exclude=./dist -cf "/tmp/roadscan-install.tar" .
  run tar -C "$prefix" -xf /tmp/roadscan-install.tar
  run rm -f /tmp/roadscan-install.tar
fi
# Build once on the device (native modules for its CPU; npm ci runs the build as `prepare`), then
# keep only what runs: no dev dependencies, no npm cache, no build tools.
run sh -c "cd '$prefix' && npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force"
if [ -n "$build_tools" ]; then
  run env DEBIAN_FRONTEND=noninteractive apt-get purge -y --auto-remove $build_tools
fi

echo "install-pi: configuration /etc/roadscan/config.json, state /var/lib/roadscan"
run install -d -m 0755 /etc/roadscan
run install -d -m 0750 -o "$user" -g "$user" /var/lib/roadscan
if [ ! -e /etc/roadscan/config.json ]; then
  # Start from the defaults: database in the state folder, the scanner by its stable by-id link
  # when exactly one serial device is plugged in.
  scanner=/dev/ttyACM0
  set -- /dev/serial/by-id/*
  if [ "$#" = 1 ] && [ -e "$1" ]; then scanner="$1"; fi
  run node -e '
    const fs = require("fs");
    const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    c.db = "/var/lib/roadscan/roadscan.db";
    c.scanner.path = process.argv[2];
    fs.writeFileSync("/etc/roadscan/config.json", JSON.stringify(c, null, 2) + "\n");
  ' "$prefix/config/default.json" "$scanner"
  run chmod 0644 /etc/roadscan/config.json
  echo "install-pi: scanner.path = $scanner (edit /etc/roadscan/config.json to change it)"
else
  echo "install-pi: keeping the existing /etc/roadscan/config.json"
fi
if [ "$cluster" = 1 ]; then
  echo "install-pi: station store member $node_name on $node_ip (routes to $peers)"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nats-server
  # Debian's own unit serves a loopback-only server without JetStream: ours replaces it.
  run systemctl disable --now nats-server.service || true
  "$here/scripts/nats-station-conf.sh" "$node_name" "$node_ip" "$peers" "$station_name" /var/lib/roadscan-nats/jetstream \
    | write /etc/roadscan/nats-station.conf 0644
  run nats-server --config /etc/roadscan/nats-station.conf -t
  write /etc/systemd/system/roadscan-nats.service 0644 <"$here/scripts/roadscan-nats.service"
  run systemctl daemon-reload
  if [ "$start" = 1 ]; then run systemctl enable --now roadscan-nats.service; else run systemctl enable roadscan-nats.service; fi
  # The gate talks to every member; a configuration that already names a station store is kept.
  servers="$node_ip:4222"
  IFS=, read -r -a peer_list <<<"$peers"
  for p in "${peer_list[@]}"; do [ -n "$p" ] && servers="$servers,$p:4222"; done
  run node -e '
    const fs = require("fs");
    const c = JSON.parse(fs.readFileSync("/etc/roadscan/config.json", "utf8"));
    c.station = c.station || {};
    if (!c.station.shared) c.station.shared = { servers: process.argv[1].split(",") };
    fs.writeFileSync("/etc/roadscan/config.json.tmp", JSON.stringify(c, null, 2) + "\n");
    fs.renameSync("/etc/roadscan/config.json.tmp", "/etc/roadscan/config.json");
  ' "$servers"
  echo "install-pi: station.shared.servers = $servers (unless already set)"
fi
run sh -c "cd '$prefix' && node bin/roadscan.js config check /etc/roadscan/config.json" || \
  echo "install-pi: the configuration check failed; fix /etc/roadscan/config.json before starting" >&2

echo "install-pi: udev rule for LED class devices (indicator.driver \"led-class\")"
write /etc/udev/rules.d/60-roadscan.rules 0644 <<'RULES'
# roadscan: let the gpio group switch the LEDs and buzzer named roadscan:* by a gpio-leds overlay.
SUBSYSTEM=="leds", KERNEL=="roadscan:*", ACTION=="add", RUN+="/bin/chgrp gpio /sys%p/brightness", RUN+="/bin/chmod g+w /sys%p/brightness"
# A stable name for the scanner module: fill in its USB ids (lsusb) and set scanner.path to
# /dev/roadscan-scanner, or use the /dev/serial/by-id/... link that udev already makes.
# SUBSYSTEM=="tty", ATTRS{idVendor}=="xxxx", ATTRS{idProduct}=="yyyy", SYMLINK+="roadscan-scanner", GROUP="dialout", MODE="0660"
RULES
run udevadm control --reload-rules
run udevadm trigger --subsystem-match=leds --action=add

echo "install-pi: roadscan.service"
sed -e "s|^User=.*|User=$user|" -e "s|^Group=.*|Group=$user|" -e "s|/opt/roadscan|$prefix|g" "$here/scripts/roadscan.service" \
  | write /etc/systemd/system/roadscan.service 0644
run systemctl daemon-reload
if [ "$start" = 1 ]; then run systemctl enable --now roadscan.service; else run systemctl enable roadscan.service; fi

if [ "$kiosk" = 1 ]; then run "$here/scripts/install-kiosk.sh" --user "$user" --prefix "$prefix"; fi
echo "install-pi: done. Status: systemctl status roadscan; logs: journalctl -u roadscan -f; health: curl http://127.0.0.1:9464/healthz"
