#!/usr/bin/env bash
# The end-to-end part of `make bench`: the real `kiosk serve` under load in a
# private network namespace (Go benchmarks BenchmarkServe_*, needs root).
#
# With BENCH_COMPARE=1 it also runs the reference harness in ../shared/bench
# (direct, squid, and kiosk as candidate in one run); that needs wrk, squid
# and tinyproxy (apt-get install wrk squid tinyproxy). With BENCH_FLOOR=1 it
# runs the harness with scripts/benchfloor as the candidate: a relay that
# filters and parses nothing, the floor of what any user-space proxy costs on
# this machine (docs/benchmarks.md). BENCH_ARGS replaces the harness's
# options (default: --quick --targets 'direct squid candidate'), e.g.
#   BENCH_COMPARE=1 BENCH_ARGS="--duration 10 --reps 3 --targets 'direct squid candidate'" make bench
set -euo pipefail
cd "$(dirname "$0")/.."
go test -tags e2e -run '^$' -bench 'BenchmarkServe_' -benchtime 3s -count 3 . | tee -a bench.txt

harness=../shared/bench/run.sh
args=(--quick --targets 'direct squid candidate')
if [ -n "${BENCH_ARGS:-}" ]; then
	eval "args=($BENCH_ARGS)" # the caller's own shell words, quotes included
fi
need_harness() {
	[ -x "$harness" ] || { echo "no reference harness at $harness" >&2; exit 1; }
}

if [ "${BENCH_COMPARE:-0}" = 1 ]; then
	need_harness
	CGO_ENABLED=0 go build -o bin/kiosk-nocgo .
	mkdir -p /tmp/kiosk-bench-data
	"$harness" "${args[@]}" --candidate-name kiosk \
		--candidate "$PWD/bin/kiosk-nocgo serve --proxy-listen 127.0.0.1:{PORT} --admin-listen 127.0.0.1:0 --allowlist $PWD/scripts/bench-allowlist.yaml --data /tmp/kiosk-bench-data --log-level warn"
fi

if [ "${BENCH_FLOOR:-0}" = 1 ]; then
	need_harness
	CGO_ENABLED=0 go build -o bin/benchfloor ./scripts/benchfloor
	"$harness" "${args[@]}" --candidate-name floor \
		--candidate "$PWD/bin/benchfloor -listen 127.0.0.1:{PORT}"
fi
