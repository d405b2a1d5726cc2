#!/usr/bin/env bash
# Installs the operator screen's kiosk on a Raspberry Pi (Pi OS bookworm): Chromium, the cage
# compositor, a Chinese font, roadscan-kiosk.service, and the folder the service hands the
# per-boot kiosk secret over in. Run as root from the package folder, after roadscan.service and
# its configuration are installed; the main install script calls it (install-pi.sh --kiosk).
#
#   sudo scripts/deploy/install-kiosk.sh [--user roadscan] [--service-user roadscan] [--group roadscan-kiosk]
#        [--prefix /opt/roadscan] [--dry-run] [--root DIR]
#
# --user is the kiosk's user (Chromium runs as it), --service-user the user roadscan.service runs
# as (it writes the secret), --group the group that may read the secret (the kiosk user is added
# to it). The secret's folder is /run/roadscan, made at every boot by systemd-tmpfiles from
# /etc/tmpfiles.d/roadscan-kiosk.conf: mode 2750, owner the service user, group the kiosk group;
# setgid, so the secret file the service writes there (0640) takes the kiosk group. A drop-in
# lets the hardened service write there (ProtectSystem=strict), and the configuration gets
# screen.kioskSecretFile = /run/roadscan/kiosk-secret and screen.kioskSecretGroup = true.
# --dry-run prints what would be done. --root DIR installs into DIR as if it were / (a scratch
# root, for tests): no apt-get, no users or groups (those of DIR/etc/passwd and DIR/etc/group are
# used), no systemctl (each said), and the paths in the written files prefixed with DIR.
set -euo pipefail

user=roadscan
service_user=roadscan
group=roadscan-kiosk
prefix=/opt/roadscan
dry=0
root=
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user="${2:-}"; shift 2 ;;
    --service-user) service_user="${2:-}"; shift 2 ;;
    --group) group="${2:-}"; shift 2 ;;
    --prefix) prefix="${2:-}"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --root) root="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "install-kiosk: unknown option $1" >&2; exit 2 ;;
  esac
done
for name in "$user" "$service_user" "$group"; do
  case "$name" in *[!a-z0-9_-]*|'') echo "install-kiosk: bad user or group name: $name" >&2; exit 2 ;; esac
done
case "$prefix" in /*) ;; *) echo "install-kiosk: --prefix must be an absolute path" >&2; exit 2 ;; esac
if [ -n "$root" ]; then
  case "$root" in /*) ;; *) echo "install-kiosk: --root must be an absolute path" >&2; exit 2 ;; esac
  case "$root" in *[!A-Za-z0-9_./-]*) echo "install-kiosk: --root: only letters, digits and _ . / - please" >&2; exit 2 ;; esac
  [ "$root" != / ] || root=
fi
if [ "$dry" = 0 ] && [ -z "$root" ] && [ "$(id -u)" != 0 ]; then echo "install-kiosk: run as root (sudo)" >&2; exit 2; fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package="$(cd "$here/../.." && pwd)"

run() { if [ "$dry" = 1 ]; then echo "+ $*"; else "$@"; fi; }
write() { # write FILE MODE < content
  if [ "$dry" = 1 ]; then echo "+ write $1 (mode $2)"; cat >/dev/null; else cat >"$1"; chmod "$2" "$1"; fi
}
say() { echo "install-kiosk: $*"; }
skip() { echo "install-kiosk: test root $root: $*"; }

etc="$root/etc/roadscan"
conf="$etc/config.json"
units="$root/etc/systemd/system"
tmpfiles="$root/etc/tmpfiles.d/roadscan-kiosk.conf"
secret_dir="$root/run/roadscan"
secret_file="$secret_dir/kiosk-secret"
if [ ! -e "$conf" ] && [ "$dry" = 0 ]; then echo "install-kiosk: no $conf: install roadscan first (scripts/deploy/install-pi.sh); nothing installed" >&2; exit 2; fi

if [ -n "$root" ]; then
  skip "apt-get install skipped; no user or group made (those of $root/etc/passwd and $root/etc/group are used)"
else
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium cage fonts-noto-cjk
  id "$user" >/dev/null 2>&1 || run useradd --system --create-home --shell /usr/sbin/nologin "$user"
  getent group "$group" >/dev/null 2>&1 || run groupadd --system "$group"
  run usermod -a -G "video,render,input,tty,$group" "$user"
fi

# The secret's folder, the systemd way: made at every boot (/run is a tmpfs), and now.
say "kiosk secret folder /run/roadscan: mode 2750, owner $service_user, group $group (the kiosk user $user is in it)"
run mkdir -p "$(dirname "$tmpfiles")"
write "$tmpfiles" 0644 <<EOF
# roadscan: the folder of the per-boot kiosk secret (scripts/deploy/install-kiosk.sh). roadscan.service
# ($service_user) writes /run/roadscan/kiosk-secret there, 0640; setgid, so the file takes the
# group $group, whose member the kiosk (scripts/deploy/kiosk.sh) reads it.
d /run/roadscan 2750 $service_user $group -
EOF
if [ -n "$root" ]; then
  run systemd-tmpfiles --create --root="$root" "$tmpfiles"
else
  run systemd-tmpfiles --create "$tmpfiles"
fi

# roadscan.service sees the file system read-only (ProtectSystem=strict) but for what it is given.
say "roadscan.service may write /run/roadscan (drop-in roadscan.service.d/kiosk-secret.conf)"
run mkdir -p "$units/roadscan.service.d"
write "$units/roadscan.service.d/kiosk-secret.conf" 0644 <<EOF
# Written by scripts/deploy/install-kiosk.sh: the service writes the per-boot kiosk secret to
# $secret_file (the folder is made by $tmpfiles). The "-": a missing folder
# does not stop the service from scanning (the kiosk's buttons are then refused, and it says why).
[Service]
ReadWritePaths=-$secret_dir
EOF

say "screen.kioskSecretFile = $secret_file, screen.kioskSecretGroup = true (in $conf)"
run node -e '
  const fs = require("fs");
  const [file, secretFile] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(file, "utf8"));
  c.screen = { ...(c.screen ?? {}), kioskSecretFile: secretFile, kioskSecretGroup: true };
  fs.writeFileSync(file + ".new", JSON.stringify(c, null, 2) + "\n", { mode: fs.statSync(file).mode & 0o777 });
  fs.renameSync(file + ".new", file);
' "$conf" "$secret_file"
if [ -e "$package/dist/bundle/main.js" ] || [ -e "$package/dist/firmware-ts/cli/main.js" ]; then
  if [ "$dry" = 0 ] && ! node "$package/bin/roadscan.js" config check "$conf" >/dev/null; then
    echo "install-kiosk: not done: the configuration check failed; fix $conf and rerun" >&2
    exit 1
  fi
fi

say "roadscan-kiosk.service (user $user)"
run mkdir -p "$units"
sed -e "s|^User=.*|User=$user|" -e "s|/opt/roadscan|$root$prefix|g" -e "s|/etc/roadscan|$etc|g" "$here/roadscan-kiosk.service" \
  | write "$units/roadscan-kiosk.service" 0644
if [ -n "$root" ]; then
  skip "systemctl is not usable under a test root: roadscan-kiosk.service not enabled"
  exit 0
fi
run systemctl daemon-reload
run systemctl set-default graphical.target
run systemctl enable roadscan-kiosk.service
# A running service takes the folder and the configuration at its next start: now.
run systemctl try-restart roadscan.service
say "enabled roadscan-kiosk.service (starts at boot on tty1; 'systemctl start roadscan-kiosk' to start now)"
