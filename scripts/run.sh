#!/usr/bin/env bash
# Runs the kiosk on a developer's machine: the service with the shipped
# allowlist and, when a display is available, the shell in a window.
# Usage: scripts/run.sh BIN RUN_DIR
set -euo pipefail
bin=$1 dir=$2
mkdir -p "$dir/data"
proxy=127.0.0.1:3128 admin=127.0.0.1:8080

"$bin" serve --allowlist allowlist.yaml --data "$dir/data" \
	--proxy-listen "$proxy" --admin-listen "$admin" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null' EXIT INT TERM

cat <<TXT

  kiosk is running.
    proxy       http://$proxy    try: curl -x http://$proxy -I https://www.caf.fr/   (allowed)
                                      curl -x http://$proxy -I http://example.com/    (refused: 403)
    admin page  http://$admin/
    data        $dir/data
  Point a browser's HTTP and HTTPS proxy at $proxy to browse as a resident would.
  Ctrl+C stops it.

TXT

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && "$bin" shell --help >/dev/null 2>&1; then
	"$bin" shell --windowed --proxy "$proxy" --admin "http://$admin" --data "$dir/data" || true
else
	echo "  No display here: the service runs alone. To see the kiosk screen:" >&2
	echo "    Xvfb :99 -screen 0 1280x800x24 -nolisten tcp &" >&2
	echo "    DISPLAY=:99 $bin shell --proxy $proxy --admin http://$admin --data $dir/data &" >&2
	echo "    import -display :99 -window root kiosk.png    # a screenshot of what a resident sees" >&2
	wait $serve_pid
fi
