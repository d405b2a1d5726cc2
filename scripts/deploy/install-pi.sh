#!/usr/bin/env bash
# Installs roadscan as a service on a Raspberry Pi (Raspberry Pi OS bookworm, Node.js 20+) and
# provisions it (docs/DESIGN.md, "Provisioning"): the package in PREFIX, a `roadscan` system
# user in the dialout and gpio groups, the configuration in /etc/roadscan/config.json (kept if
# present) with the trust anchor (/etc/roadscan/trust.json) and the status-list URL, one first
# sync, the database in /var/lib/roadscan, a udev rule for LED class devices, and
# roadscan.service enabled and started. It says "done" only once /healthz says the unit scans.
# Run as root from the package folder (a clone or an unpacked release):
#
#   sudo scripts/deploy/install-pi.sh --trust FILE --status-url URL [--user roadscan] [--prefix /opt/roadscan]
#        [--config-from FILE] [--kiosk] [--no-start] [--dry-run] [--root DIR]
#        [--station-cluster --node-name n1 --node-ip 10.0.0.11 --peers 10.0.0.12,10.0.0.13 --station-keys DIR
#         [--station-name s1] [--device-name g1] [--nats-ports 4222,6222,8222]]
#
# --trust is the authority's trust list (the first trust anchor), --status-url the publication
# the device syncs from: without them nothing is installed. --config-from starts a new
# configuration from that file instead of config/default.json. --kiosk also installs the operator
# screen (scripts/deploy/install-kiosk.sh); --dry-run prints what would be done without doing it.
# --root DIR installs into DIR as if it were / (a scratch root, for tests): no apt-get, no users,
# no udevadm, no systemctl (each said), the package's own build and node_modules used as they are,
# and the paths in the written files prefixed with DIR, so the unit's ExecStart runs as written.
# --station-cluster makes this unit one member of its station's once-only store (README "A
# station's gates"): nats-server with JetStream listening on --node-ip, routes to the --peers,
# roadscan-nats.service, and station.shared set to all three (updated, and said, on a re-run).
# The cluster is closed: --station-keys DIR is what scripts/deploy/station-keys.sh made once for the
# station (copied from the first member); this member's certificate and key, the station's CA,
# and this device's client certificate (--device-name, default the node name) are installed in
# /etc/roadscan/station, private keys 0600 for the service user that reads them.
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
station_keys=
device_name=
nats_ports=4222,6222,8222
trust=
status_url=
config_from=
root=
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
    --station-keys) station_keys="${2:-}"; shift 2 ;;
    --device-name) device_name="${2:-}"; shift 2 ;;
    --nats-ports) nats_ports="${2:-}"; shift 2 ;;
    --trust) trust="${2:-}"; shift 2 ;;
    --status-url) status_url="${2:-}"; shift 2 ;;
    --config-from) config_from="${2:-}"; shift 2 ;;
    --root) root="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "install-pi: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$user" in *[!a-z0-9_-]*|'') echo "install-pi: bad user name: $user" >&2; exit 2 ;; esac
case "$prefix" in /*) ;; *) echo "install-pi: --prefix must be an absolute path" >&2; exit 2 ;; esac
# No anchor, no install: a device without its first trust anchor cannot scan (README "Provisioning").
if [ -z "$trust" ]; then echo "install-pi: no trust anchor: give --trust FILE (the authority's trust list, JSON); nothing installed" >&2; exit 2; fi
if [ ! -r "$trust" ] || [ ! -f "$trust" ]; then echo "install-pi: --trust $trust: not a readable file; nothing installed" >&2; exit 2; fi
if [ -z "$status_url" ]; then echo "install-pi: no status list URL: give --status-url URL (the publication the device syncs from); nothing installed" >&2; exit 2; fi
case "$status_url" in https://*|http://*) ;; *) echo "install-pi: --status-url must be an http:// or https:// URL; nothing installed" >&2; exit 2 ;; esac
case "$status_url" in *[[:space:]]*|*[[:cntrl:]]*) echo "install-pi: --status-url must not hold spaces or control characters; nothing installed" >&2; exit 2 ;; esac
if [ -n "$config_from" ] && [ ! -r "$config_from" ]; then echo "install-pi: --config-from $config_from: not a readable file; nothing installed" >&2; exit 2; fi
trust="$(cd "$(dirname "$trust")" && pwd)/$(basename "$trust")"
if [ -n "$config_from" ]; then config_from="$(cd "$(dirname "$config_from")" && pwd)/$(basename "$config_from")"; fi
if [ -n "$root" ]; then
  case "$root" in /*) ;; *) echo "install-pi: --root must be an absolute path" >&2; exit 2 ;; esac
  case "$root" in *[!A-Za-z0-9_./-]*) echo "install-pi: --root: only letters, digits and _ . / - please" >&2; exit 2 ;; esac
  [ "$root" != / ] || root=
fi
if [ "$cluster" = 1 ]; then
  case "$node_name" in *[!a-z0-9-]*|'') echo "install-pi: --station-cluster needs --node-name (a-z, 0-9, -)" >&2; exit 2 ;; esac
  case "$station_name" in *[!a-z0-9-]*|'') echo "install-pi: bad --station-name: $station_name" >&2; exit 2 ;; esac
  case "$node_ip" in *[!0-9a-fA-F.:]*|'') echo "install-pi: --station-cluster needs --node-ip (an IP address)" >&2; exit 2 ;; esac
  case "$peers" in *[!0-9a-fA-F.:,]*|'') echo "install-pi: --station-cluster needs --peers (IP,IP: the other members)" >&2; exit 2 ;; esac
  device_name="${device_name:-$node_name}"
  case "$device_name" in *[!a-z0-9-]*|'') echo "install-pi: bad --device-name: $device_name" >&2; exit 2 ;; esac
  case "$nats_ports" in *[!0-9,]*|'') echo "install-pi: --nats-ports CLIENT,ROUTE,MONITOR (numbers)" >&2; exit 2 ;; esac
  IFS=, read -r client_port route_port monitor_port <<<"$nats_ports"
  [ -n "$client_port" ] && [ -n "$route_port" ] && [ -n "$monitor_port" ] || { echo "install-pi: --nats-ports CLIENT,ROUTE,MONITOR (three numbers)" >&2; exit 2; }
  # Closed or not at all: no station store without its keys (scripts/deploy/station-keys.sh, made once per station).
  if [ -z "$station_keys" ]; then echo "install-pi: --station-cluster needs --station-keys DIR (made once per station by scripts/deploy/station-keys.sh); nothing installed" >&2; exit 2; fi
  for f in ca.pem station "members/$node_name.pem" "members/$node_name.key" "devices/$device_name.pem" "devices/$device_name.key"; do
    if [ ! -r "$station_keys/$f" ]; then echo "install-pi: --station-keys $station_keys: no $f (run scripts/deploy/station-keys.sh with this member and device); nothing installed" >&2; exit 2; fi
  done
  if [ "$(cat "$station_keys/station")" != "$station_name" ]; then
    echo "install-pi: --station-keys $station_keys are station $(cat "$station_keys/station")'s, not $station_name's; nothing installed" >&2; exit 2
  fi
  station_keys="$(cd "$station_keys" && pwd)"
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
run() { if [ "$dry" = 1 ]; then echo "+ $*"; else "$@"; fi; }
write() { # write FILE MODE < content
  if [ "$dry" = 1 ]; then echo "+ write $1 (mode $2)"; cat >/dev/null; else cat >"$1"; chmod "$2" "$1"; fi
}
say() { echo "install-pi: $*"; }
# Under a test root: what is skipped, said once each, never silently.
skip() { echo "install-pi: test root $root: $*"; }

# Every system path under the root (empty: the real /).
pkg="$root$prefix"
etc="$root/etc/roadscan"
state="$root/var/lib/roadscan"
units="$root/etc/systemd/system"
rules_d="$root/etc/udev/rules.d"
conf="$etc/config.json"
roadscan() { run node "$pkg/bin/roadscan.js" "$@"; }

if [ "$dry" = 0 ] && [ -z "$root" ] && [ "$(id -u)" != 0 ]; then echo "install-pi: run as root (sudo)" >&2; exit 2; fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "install-pi: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "  Install the current LTS, e.g. from https://nodejs.org or the NodeSource repository, then rerun." >&2
  exit 2
fi

# Provisioning is a transaction (README "Provisioning"): the anchor, the URL and one full sync
# into a scratch database are checked with this tree's own roadscan BEFORE anything is copied or
# written, so a refused anchor, a URL that does not answer, a manifest the anchor's SL keys did
# not sign or a stranger's 304 leaves the machine exactly as it was. The refusal is roadscan's
# one line on stderr; the exit status is its (2).
late_check=0
if [ -e "$here/node_modules" ] && { [ -e "$here/dist/bundle/main.js" ] || [ -e "$here/dist/firmware-ts/cli/main.js" ]; }; then
  say "checking the trust anchor and the status list before installing anything"
  check_status=0
  node "$here/bin/roadscan.js" provision --check-anchor "$trust" --status-url "$status_url" || check_status=$?
  if [ "$check_status" != 0 ]; then exit "$check_status"; fi
else
  # An unbuilt tree cannot run roadscan yet: the same check runs right after the build, before
  # the configuration is written (the package folder then stays behind on a refusal).
  say "this tree is not built yet: the anchor and the status list are checked after the build, before any configuration is written"
  late_check=1
fi

# Fresh package lists before anything is installed: a first boot's lists are weeks old.
if [ -n "$root" ]; then
  skip "apt-get update and apt-get install skipped (this machine's packages are not the device's)"
else
  run env DEBIAN_FRONTEND=noninteractive apt-get update
fi

# Only what builds the native modules, and only for the build: the tools this script installs
# are removed again afterwards, so the device keeps no compiler.
build_tools=""
if [ -z "$root" ]; then
  for p in build-essential python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || build_tools="$build_tools $p"
  done
fi
if [ -n "$build_tools" ]; then
  say "build tools for the native modules, removed after the build:$build_tools"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $build_tools
fi

if [ -n "$root" ]; then
  skip "no user or groups made; the files belong to $(id -un)"
else
  say "user $user (groups dialout for the scanner, gpio for LEDs and buzzer)"
  if ! id "$user" >/dev/null 2>&1; then run useradd --system --home-dir /var/lib/roadscan --shell /usr/sbin/nologin "$user"; fi
  getent group gpio >/dev/null 2>&1 || run groupadd --system gpio
  run usermod -a -G dialout,gpio "$user"
fi

say "package in $pkg"
run mkdir -p "$pkg"
if [ -n "$root" ]; then
  # No network for npm ci under a test root: the package's own build and modules, as they are.
  if [ ! -e "$here/dist/bundle/main.js" ] && [ ! -e "$here/dist/firmware-ts/cli/main.js" ]; then
    echo "install-pi: --root: $here is not built (npm run build first)" >&2; exit 2
  fi
  skip "not built (npm ci needs the network): dist/ copied, node_modules linked from $here"
  run tar -C "$here" --exclude=./node_modules --exclude=./.git --exclude=./data -cf "$root/.roadscan-install.tar" .
  run tar -C "$pkg" -xf "$root/.roadscan-install.tar"
  run rm -f "$root/.roadscan-install.tar"
  run ln -sfn "$(readlink -f "$here/node_modules")" "$pkg/node_modules"
else
  if [ "$here" != "$pkg" ]; then
    run tar -C "$here" --exclude=./node_modules --exclude=./.git --exclude=./data --exclude=./dist -cf "/tmp/roadscan-install.tar" .
    run tar -C "$pkg" -xf /tmp/roadscan-install.tar
    run rm -f /tmp/roadscan-install.tar
  fi
  # Build once on the device (native modules for its CPU; npm ci runs the build as `prepare`), then
  # keep only what runs: no dev dependencies, no npm cache, no build tools.
  run sh -c "cd '$pkg' && npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force"
  if [ -n "$build_tools" ]; then
    run env DEBIAN_FRONTEND=noninteractive apt-get purge -y --auto-remove $build_tools
  fi
fi

if [ "$late_check" = 1 ]; then
  check_status=0
  roadscan provision --check-anchor "$trust" --status-url "$status_url" || check_status=$?
  if [ "$check_status" != 0 ]; then echo "install-pi: not done: refused before any configuration was written; $pkg stays" >&2; exit "$check_status"; fi
fi

say "configuration $conf, state $state"
run install -d -m 0755 "$etc"
if [ -n "$root" ]; then run install -d -m 0750 "$state"; else run install -d -m 0750 -o "$user" -g "$user" "$state"; fi
if [ ! -e "$conf" ]; then
  # Start from the defaults (or --config-from): database in the state folder, the scanner by its
  # stable by-id link when exactly one serial device is plugged in.
  base="${config_from:-$pkg/config/default.json}"
  scanner=
  if [ -z "$root" ]; then
    scanner=/dev/ttyACM0
    set -- /dev/serial/by-id/*
    if [ "$#" = 1 ] && [ -e "$1" ]; then scanner="$1"; fi
  fi
  run node -e '
    const fs = require("fs");
    const [base, db, scanner, out] = process.argv.slice(1);
    const c = JSON.parse(fs.readFileSync(base, "utf8"));
    c.db = db;
    if (scanner) c.scanner = { ...c.scanner, path: scanner };
    fs.writeFileSync(out + ".new", JSON.stringify(c, null, 2) + "\n", { mode: 0o644 });
    fs.renameSync(out + ".new", out);
  ' "$base" "$state/roadscan.db" "$scanner" "$conf"
  if [ -n "$scanner" ]; then say "scanner.path = $scanner (edit $conf to change it)"; fi
else
  say "keeping the existing $conf"
fi
if [ "$cluster" = 1 ]; then
  say "station store member $node_name on $node_ip (routes to $peers)"
  if [ -n "$root" ]; then
    skip "nats-server not installed, Debian's unit left alone"
  else
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nats-server
    # Debian's own unit serves a loopback-only server without JetStream: ours replaces it.
    run systemctl disable --now nats-server.service || true
  fi
  # The station's key material: this member's server certificate (read by nats-server, user nats)
  # and this device's client certificate (read by roadscan), private parts 0600 for their reader.
  tls_dir="$etc/station"
  run install -d -m 0755 "$tls_dir"
  nats_owner=(); device_owner=()
  if [ -z "$root" ]; then nats_owner=(-o nats -g nats); device_owner=(-o "$user" -g "$user"); fi
  run install -m 0644 "$station_keys/ca.pem" "$tls_dir/ca.pem"
  run install -m 0644 "$station_keys/members/$node_name.pem" "$tls_dir/member.pem"
  run install -m 0600 "${nats_owner[@]}" "$station_keys/members/$node_name.key" "$tls_dir/member.key"
  run install -m 0644 "$station_keys/devices/$device_name.pem" "$tls_dir/device.pem"
  run install -m 0600 "${device_owner[@]}" "$station_keys/devices/$device_name.key" "$tls_dir/device.key"
  devices="$(cd "$station_keys/devices" && ls -1 -- *.pem | sed 's/\.pem$//' | paste -sd, -)"
  say "station $station_name: TLS on clients and routes, devices allowed: $devices"
  bucket="$(node -e '
    const fs = require("fs");
    try { const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); process.stdout.write(c.station?.shared?.bucket ?? "roadscan-once"); }
    catch { process.stdout.write("roadscan-once"); }
  ' "$conf")"
  NATS_CLIENT_PORT="$client_port" NATS_ROUTE_PORT="$route_port" NATS_MONITOR_PORT="$monitor_port" \
    "$here/scripts/deploy/nats-station-conf.sh" "$node_name" "$node_ip" "$peers" "$station_name" "$root/var/lib/roadscan-nats/jetstream" "$tls_dir" "$bucket" "$devices" \
    | write "$etc/nats-station.conf" 0644
  if [ -z "$root" ]; then run nats-server --config /etc/roadscan/nats-station.conf -t; fi
  run mkdir -p "$units"
  sed -e "s|/etc/roadscan|$etc|g" "$here/scripts/deploy/roadscan-nats.service" | write "$units/roadscan-nats.service" 0644
  if [ -n "$root" ]; then
    skip "systemctl is not usable under a test root: roadscan-nats.service not enabled"
  else
    run systemctl daemon-reload
    if [ "$start" = 1 ]; then run systemctl enable --now roadscan-nats.service; else run systemctl enable roadscan-nats.service; fi
  fi
  # The gate talks to every member, over TLS with its own certificate. A re-run with other members
  # updates the servers (and says so); the store's other settings already there are kept.
  servers="$node_ip:$client_port"
  IFS=, read -r -a peer_list <<<"$peers"
  for p in "${peer_list[@]}"; do [ -n "$p" ] && servers="$servers,$p:$client_port"; done
  run node -e '
    const fs = require("fs");
    const [file, servers, tlsDir] = process.argv.slice(1);
    const c = JSON.parse(fs.readFileSync(file, "utf8"));
    c.station = c.station || {};
    const before = c.station.shared?.servers ?? null;
    const next = servers.split(",");
    c.station.shared = {
      ...(c.station.shared || {}),
      servers: next,
      tls: { caFile: tlsDir + "/ca.pem", certFile: tlsDir + "/device.pem", keyFile: tlsDir + "/device.key" },
    };
    fs.writeFileSync(file + ".new", JSON.stringify(c, null, 2) + "\n");
    fs.renameSync(file + ".new", file);
    const same = before && before.join(",") === next.join(",");
    console.log(`install-pi: station.shared.servers = ${next.join(",")}` + (before === null ? " (set)" : same ? " (unchanged)" : ` (updated; was ${before.join(",")})`));
  ' "$conf" "$servers" "$tls_dir"
fi

# The trust anchor and the status-list URL: checked, installed atomically beside the
# configuration, then one sync (roadscan provision; the service is checked after it starts).
say "trust anchor $trust, status list $status_url"
if ! roadscan provision --config "$conf" --trust "$trust" --status-url "$status_url" --wait 0; then
  echo "install-pi: not done: provisioning failed (the reason is above); roadscan.service not enabled" >&2
  exit 1
fi
if [ -z "$root" ]; then run chown -R "$user:$user" "$state"; fi
if ! roadscan config check "$conf" >/dev/null; then
  echo "install-pi: not done: the configuration check failed; fix $conf and rerun" >&2
  exit 1
fi

say "udev rule for LED class devices (indicator.driver \"led-class\")"
run mkdir -p "$rules_d"
write "$rules_d/60-roadscan.rules" 0644 <<'RULES'
# roadscan: let the gpio group switch the LEDs and buzzer named roadscan:* by a gpio-leds overlay.
SUBSYSTEM=="leds", KERNEL=="roadscan:*", ACTION=="add", RUN+="/bin/chgrp gpio /sys%p/brightness", RUN+="/bin/chmod g+w /sys%p/brightness"
# A stable name for the scanner module: fill in its USB ids (lsusb) and set scanner.path to
# /dev/roadscan-scanner, or use the /dev/serial/by-id/... link that udev already makes.
# SUBSYSTEM=="tty", ATTRS{idVendor}=="xxxx", ATTRS{idProduct}=="yyyy", SYMLINK+="roadscan-scanner", GROUP="dialout", MODE="0660"
RULES
if [ -n "$root" ]; then
  skip "udevadm skipped (no udev for a test root)"
else
  run udevadm control --reload-rules
  run udevadm trigger --subsystem-match=leds --action=add
fi

say "roadscan.service"
run mkdir -p "$units"
sed -e "s|^User=.*|User=$user|" -e "s|^Group=.*|Group=$user|" -e "s|/opt/roadscan|$pkg|g" \
  -e "s|/etc/roadscan|$etc|g" -e "s|/var/lib/roadscan|$state|g" "$here/scripts/deploy/roadscan.service" \
  | write "$units/roadscan.service" 0644
if [ "$kiosk" = 1 ]; then
  if [ -n "$root" ]; then skip "the kiosk is not installed under a test root"; else run "$here/scripts/deploy/install-kiosk.sh" --user "$user" --prefix "$prefix"; fi
fi

check_cmd="node $pkg/bin/roadscan.js provision --check --config $conf"
if [ -n "$root" ]; then
  skip "systemctl is not usable under a test root: roadscan.service not enabled or started"
  say "installed under $root, NOT started: run the ExecStart of $units/roadscan.service, then: $check_cmd"
  exit 0
fi
run systemctl daemon-reload
if [ "$start" = 0 ]; then
  run systemctl enable roadscan.service
  say "installed and enabled, NOT started (--no-start): systemctl start roadscan, then: $check_cmd"
  exit 0
fi
run systemctl enable --now roadscan.service
# Done only when the unit scans: /healthz with the scanner open.
if ! roadscan provision --check --config "$conf" --wait 60; then
  echo "install-pi: not done: roadscan.service does not scan (the reason is above); see journalctl -u roadscan" >&2
  exit 1
fi
say "done: scanning. Status: systemctl status roadscan; logs: journalctl -u roadscan -f; health: curl http://127.0.0.1:9464/healthz"
