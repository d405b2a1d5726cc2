#!/usr/bin/env bash
# Shows the roadscan operator screen full screen: Chromium in kiosk mode on the page that
# `roadscan run` serves on the loopback address. Started at boot by roadscan-kiosk.service.
#
#   scripts/deploy/kiosk.sh [URL]
#
# URL defaults to $ROADSCAN_SCREEN_URL, else http://HOST:PORT/ from the `screen` section of
# $ROADSCAN_CONFIG (default /etc/roadscan/config.json, then the package's config/default.json).
# Without a running display (a bare Pi OS Lite console) it starts itself inside `cage`, a
# one-window Wayland compositor. It waits for the service to answer before opening the page, so
# the first thing on the glass is the screen, not a browser error.
#
# The page's buttons and Clear need the per-boot kiosk secret that the service writes at start to
# $ROADSCAN_KIOSK_SECRET_FILE, else `screen.kioskSecretFile` of the config, else `kiosk-secret`
# beside the database (a file only the kiosk user can read). It must reach the page without
# passing through any command line (/proc/PID/cmdline is readable by every local user): this
# script reads it with shell builtins and writes a start page (0600, in a private 0700 folder of
# the kiosk user's runtime folder) that sends Chromium on to URL#k=SECRET; Chromium is given only
# that file's path. A fragment is never sent in a request line, so it is in no server log, and the
# page takes it out of the address bar. The start page is removed when Chromium is reopened and at
# exit. When the service restarts it writes a new secret: Chromium is reopened with it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

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

# The secret the service wrote at this start (it is written before the page listens): read with
# builtins only, so it is never an argument of any process.
secret_path="$(secret_file)"
read_secret() {
  local line=""
  if [ -r "$secret_path" ] && [ -f "$secret_path" ]; then IFS= read -r -n 128 line <"$secret_path" || true; fi
  line="${line//[!A-Za-z0-9_-]/}"
  printf '%s' "$line"
}

# The page address as a JavaScript string literal (made by node from the URL alone, no secret).
url_js="$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]).replace(/</g, "\\u003c"))' "$url")"
chromium_bin="$(find_chromium)"
base="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}"
profile="$base/roadscan-kiosk"
handover=""
chrome=""
secret=""

# Writes the start page (umask 077: 0600 in a mktemp folder, 0700); its folder in $handover.
start_page() {
  handover="$(mktemp -d "$base/roadscan-kiosk-start.XXXXXXXX")"
  (
    umask 077
    printf '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>roadscan</title><script>location.replace(%s + "#k=%s")</script>\n' "$url_js" "$secret" >"$handover/start.html"
  )
}

forget_start_page() {
  if [ -n "$handover" ]; then rm -rf "$handover"; handover=""; fi
}

open_page() {
  local target="$url"
  secret="$(read_secret)"
  forget_start_page
  if [ -z "$secret" ]; then
    echo "kiosk: no kiosk secret in $secret_path: the page shows verdicts but its buttons will be refused (reopened when the service writes one)" >&2
  elif [[ "$url" != *"#"* ]]; then
    start_page
    target="file://$handover/start.html"
  fi
  # A fresh profile at every start: no restore-session bubble after a power cut, and nothing of
  # an earlier session kept (XDG_RUNTIME_DIR is a tmpfs that the login session owns).
  rm -rf "$profile"
  mkdir -m 700 "$profile"
  # shellcheck disable=SC2086 # ROADSCAN_KIOSK_FLAGS is a list of flags
  "$chromium_bin" \
    --kiosk "$target" \
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
    ${ROADSCAN_KIOSK_FLAGS:-} &
  chrome=$!
}

close_page() {
  if [ -n "$chrome" ]; then
    kill "$chrome" 2>/dev/null || true
    wait "$chrome" 2>/dev/null || true
    chrome=""
  fi
}

trap 'close_page; forget_start_page' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

open_page
# Chromium's exit ends the kiosk with its status (systemd restarts it); a new secret (the service
# restarted) reopens the page with it, or the buttons would stay refused until the next boot.
while :; do
  sleep 1 &
  wait $! || true
  if ! kill -0 "$chrome" 2>/dev/null; then
    status=0
    wait "$chrome" || status=$?
    chrome=""
    exit "$status"
  fi
  now="$(read_secret)"
  if [ -n "$now" ] && [ "$now" != "$secret" ] && [[ "$url" != *"#"* ]]; then
    echo "kiosk: the service wrote a new kiosk secret (it restarted): reopening the page" >&2
    close_page
    open_page
  fi
done
