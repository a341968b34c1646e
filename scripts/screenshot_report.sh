#!/usr/bin/env bash
# Renders a results folder's report.html in headless Chromium to a PNG screenshot, so that a
# person (or a reviewer) can look at the page as a reader would.
#
# Usage: scripts/screenshot_report.sh RESULTS_DIR [OUT.png] [report.html|report_nl.html]
# Needs Debian's chromium: apt-get update && apt-get install -y chromium
set -euo pipefail
dir=${1:?usage: scripts/screenshot_report.sh RESULTS_DIR [OUT.png] [PAGE]}
out=${2:-$dir/report_screenshot.png}
page=${3:-report.html}
file=$(cd "$dir" && pwd)/$page
[ -f "$file" ] || { echo "no $file" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found: apt-get install -y chromium" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: we run as root in CI; the page is our own file and needs no network.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --screenshot="$out" --window-size=1400,"${HEIGHT:-4000}" "file://$file" 2>/dev/null
echo "$out"
