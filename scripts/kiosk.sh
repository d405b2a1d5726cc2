#!/usr/bin/env bash
# Shows the roadscan operator screen full screen: Chromium in kiosk mode on the page that
# `roadscan run` serves on the loopback address. Started at boot by roadscan-kiosk.service.
#
#   scripts/kiosk.sh [URL]
#
# URL defaults to $ROADSCAN_SCREEN_URL, else http://HOST:PORT/ from the `screen` section of
# $ROADSCAN_CONFIG (default /etc/roadscan/config.json, then the package's config/default.json).
# Without a running display (a bare Pi OS Lite console) it starts itself inside `cage`, a
# one-window Wayland compositor. It waits for the service to answer before opening the page, so
# the first thing on the glass is the screen, not a browser error.
#
# The page's buttons and Clear need the per-boot kiosk secret that the service writes at start to
# $ROADSCAN_KIOSK_SECRET_FILE, else `screen.kioskSecretFile` of the config, else `kiosk-secret`
# beside the database (a file only the kiosk user can read). It goes in the URL fragment (#k=...),
# which the browser never sends in a request line, and the page takes it out of the address bar.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

screen_url() {
  if [ -n "${1:-}" ]; then printf '%s\n' "$1"; return; fi
  if [ -n "${ROADSCAN_SCREEN_URL:-}" ]; then printf '%s\n' "$ROADSCAN_SCREEN_URL"; return; fi
  local config="${ROADSCAN_CONFIG:-/etc/roadscan/config.json}"
  [ -r "$config" ] || config="$root/config/default.json"
  node -e '
    let s = {};
    try { s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).screen ?? {}; } catch {}
    let host = typeof s.host === "string" && !/^(0\.0\.0\.0|::)$/.test(s.host) ? s.host : "127.0.0.1";
    if (host.includes(":")) host = `[${host}]`;
    const port = Number.isInteger(s.port) && s.port > 0 ? s.port : 8480;
    console.log(`http://${host}:${port}/`);
  ' "$config"
}

secret_file() {
  if [ -n "${ROADSCAN_KIOSK_SECRET_FILE:-}" ]; then printf '%s\n' "$ROADSCAN_KIOSK_SECRET_FILE"; return; fi
  local config="${ROADSCAN_CONFIG:-/etc/roadscan/config.json}"
  [ -r "$config" ] || config="$root/config/default.json"
  node -e '
    const path = require("path");
    let c = {};
    try { c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) ?? {}; } catch {}
    const s = c.screen ?? {};
    if (typeof s.kioskSecretFile === "string" && s.kioskSecretFile) console.log(s.kioskSecretFile);
    else if (typeof c.db === "string" && c.db) console.log(path.join(path.dirname(c.db), "kiosk-secret"));
    else console.log(path.join(require("os").tmpdir(), "roadscan", "kiosk-secret"));
  ' "$config"
}

find_chromium() {
  local c
  for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null; then command -v "$c"; return; fi
  done
  echo "kiosk: chromium is not installed (apt-get install chromium)" >&2
  exit 1
}

url="$(screen_url "${1:-}")"

if [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${DISPLAY:-}" ]; then
  if command -v cage >/dev/null; then
    exec cage -s -- "$0" "$url"
  fi
  echo "kiosk: no display (neither WAYLAND_DISPLAY nor DISPLAY) and no cage to start one" >&2
  exit 1
fi

# Wait up to 60 s for the service; then open the page anyway: it reconnects on its own.
for _ in $(seq 1 120); do
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url" 2>/dev/null; then
    break
  fi
  sleep 0.5
done

# The secret the service wrote at this start (it is written before the page listens).
secret=""
secret_path="$(secret_file)"
if [ -r "$secret_path" ]; then
  secret="$(head -c 128 "$secret_path" | tr -cd 'A-Za-z0-9_-')"
fi
if [ -z "$secret" ]; then
  echo "kiosk: no kiosk secret in $secret_path: the page shows verdicts but its buttons will be refused" >&2
elif [[ "$url" != *"#"* ]]; then
  url="$url#k=$secret"
fi

# A fresh profile at every start: no restore-session bubble after a power cut, and nothing of
# an earlier session kept (XDG_RUNTIME_DIR is a tmpfs that the login session owns).
profile="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/roadscan-kiosk"
rm -rf "$profile"
mkdir -m 700 "$profile"

exec "$(find_chromium)" \
  --kiosk "$url" \
  --user-data-dir="$profile" \
  --incognito \
  --noerrdialogs \
  --disable-infobars \
  --disable-session-crashed-bubble \
  --disable-translate \
  --disable-features=Translate,TranslateUI \
  --disable-pinch \
  --overscroll-history-navigation=0 \
  --no-first-run \
  --disable-background-networking \
  --disable-component-update \
  --disable-sync \
  --disable-quic \
  --check-for-update-interval=31536000 \
  --password-store=basic \
  --autoplay-policy=no-user-gesture-required \
  ${ROADSCAN_KIOSK_FLAGS:-}
