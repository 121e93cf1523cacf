#!/usr/bin/env bash
# The end-to-end part of `make bench`: the real `kiosk serve` under load in a
# private network namespace (Go benchmarks BenchmarkServe_*, needs root).
# With BENCH_COMPARE=1 it also runs the reference harness in ../shared/bench
# (direct, squid, and kiosk as candidate in one run); that needs wrk, squid
# and tinyproxy (apt-get install wrk squid tinyproxy). With BENCH_FLOOR=1 it
# then runs the harness again with scripts/benchfloor as the candidate: a
# relay that filters and parses nothing, the floor of what any user-space
# proxy costs on this machine (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -tags e2e -run '^$' -bench 'BenchmarkServe_' -benchtime 3s -count 3 . | tee -a bench.txt

if [ "${BENCH_COMPARE:-0}" = 1 ]; then
	harness=../shared/bench/run.sh
	[ -x "$harness" ] || { echo "no reference harness at $harness" >&2; exit 1; }
	CGO_ENABLED=0 go build -o bin/kiosk-nocgo .
	mkdir -p /tmp/kiosk-bench-data
	"$harness" ${BENCH_ARGS:---quick --targets 'direct squid candidate'} \
		--candidate-name kiosk \
		--candidate "$PWD/bin/kiosk-nocgo serve --proxy-listen 127.0.0.1:{PORT} --admin-listen 127.0.0.1:0 --allowlist $PWD/scripts/bench-allowlist.yaml --data /tmp/kiosk-bench-data --log-level warn"
fi

if [ "${BENCH_FLOOR:-0}" = 1 ]; then
	harness=../shared/bench/run.sh
	[ -x "$harness" ] || { echo "no reference harness at $harness" >&2; exit 1; }
	CGO_ENABLED=0 go build -o bin/benchfloor ./scripts/benchfloor
	"$harness" ${BENCH_ARGS:---quick --targets 'direct squid candidate'} \
		--candidate-name floor \
		--candidate "$PWD/bin/benchfloor -listen 127.0.0.1:{PORT}"
fi
