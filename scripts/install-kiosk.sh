#!/usr/bin/env bash
# Installs the operator screen's kiosk on a Raspberry Pi (Pi OS bookworm): Chromium, the cage
# compositor, a Chinese font, and roadscan-kiosk.service. Run as root from the package folder,
# after roadscan.service is installed; the main install script calls it.
#
#   sudo scripts/install-kiosk.sh [--user roadscan] [--prefix /opt/roadscan]
set -euo pipefail

user=roadscan
prefix=/opt/roadscan
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    *) echo "install-kiosk: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "install-kiosk: run as root" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium cage fonts-noto-cjk
id "$user" >/dev/null 2>&1 || useradd --system --create-home --shell /usr/sbin/nologin "$user"
usermod -a -G video,render,input,tty "$user"

sed -e "s|^User=.*|User=$user|" -e "s|/opt/roadscan|$prefix|g" "$here/roadscan-kiosk.service" >/etc/systemd/system/roadscan-kiosk.service
chmod 644 /etc/systemd/system/roadscan-kiosk.service
systemctl daemon-reload
systemctl set-default graphical.target
systemctl enable roadscan-kiosk.service
echo "install-kiosk: enabled roadscan-kiosk.service (starts at boot on tty1; 'systemctl start roadscan-kiosk' to start now)"
