#!/bin/sh
# Benchmarks netpolc on generated cluster snapshots and prints a Markdown
# table (median of several runs) with the machine it ran on.
#
#   bench/run.sh [--runs N] [--queries N] [--pods-mode] [--json] [--no-connlist] [SIZE...]
#   bench/run.sh [--runs N] --profile NAME [--profile NAME]... [--pods "N N N"]
#   bench/run.sh [--runs N] --verify
#
# SIZE: tiny, small, customer, antrea, limit (default: small customer).
# --profile: a cluster shape of bench/gen.py (`all`: every one), run at each
# pod count of --pods (default "5000 10000 20000"); the table then gives
# the growth exponent of each profile fitted over its sizes.
# Builds a Release tree in $BENCH_BUILD (default build-bench) when needed;
# snapshots go to bench/out/<size>[-pods][-json]/ (generated once, git-ignored);
# --json writes them as `kubectl get -A -o json` does.
# Per-phase times come from netpolc-bench (bench/bench_main.c); the CLI
# column is `netpolc connlist DIR > /dev/null` end to end, with its peak
# RSS from /usr/bin/time when present.
# --verify: netpolc verify instead (bench/verify_bench.py): every example in
# every combination and engine, and the bench/gen_spec.py spec (200
# components, 2,000 flows), CPU and wall time per run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-bench}
runs=3
queries=20000
mode=""
format=yaml
extra=""
sizes=""
profiles=""
pods="5000 10000 20000"
verify=""
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --pods-mode) mode=--pods-mode; shift ;;
    --json) format=json; shift ;;
    --no-connlist) extra=--no-connlist; shift ;;
    --profile) profiles="$profiles $2"; shift 2 ;;
    --pods) pods=$2; shift 2 ;;
    --verify) verify=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    -*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
    *) sizes="$sizes $1"; shift ;;
    esac
done
py=/usr/bin/python3; [ -x "$py" ] || py=python3
if [ -n "$profiles" ]; then
    [ "$profiles" != " all" ] ||
        profiles=$("$py" -c "import sys; sys.path.insert(0, '$root/bench'); import gen; print(' '.join(sorted(gen.PROFILES)))")
    for p in $profiles; do
        for n in $pods; do sizes="$sizes $p@$n"; done
    done
fi
[ -n "$sizes" ] || sizes="small customer"

if [ ! -x "$build/bench/netpolc-bench" ] || [ ! -x "$build/netpolc" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
results=$(mktemp)
tlog=$(mktemp)
trap 'rm -f "$results" "$tlog"' EXIT
make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" --no-print-directory netpolc netpolc-bench >"$tlog" 2>&1 ||
    { cat "$tlog" >&2; exit 1; }
if [ -n "$verify" ]; then
    exec "$py" "$root/bench/verify_bench.py" "$build/netpolc" "$root" --runs "$runs"
fi
for size in $sizes; do
    case $size in
    *@*) out="$root/bench/out/${size%@*}-${size#*@}"; gen="--profile ${size%@*} --pods ${size#*@}" ;;
    *) out="$root/bench/out/$size${mode:+-pods}"; gen="--size $size $mode --format $format"
       [ "$format" = yaml ] || out="$out-$format" ;;
    esac
    if [ ! -f "$out/meta.jsonl" ] || [ "$root/bench/gen.py" -nt "$out/meta.jsonl" ]; then
        "$py" "$root/bench/gen.py" $gen --out "$out"
    fi
    for r in $(seq 1 "$runs"); do
        [ -t 2 ] && echo "== $size run $r/$runs" >&2
        line=$("$build/bench/netpolc-bench" --queries "$queries" $extra "$out") || {
            echo "bench/run.sh: netpolc-bench failed on $size: $line" >&2; exit 1; }
        cli="null"; rss="null"
        if [ -z "$extra" ]; then
            if [ -x /usr/bin/time ]; then
                /usr/bin/time -o "$tlog" -f '%e %M' "$build/netpolc" connlist "$out" >/dev/null 2>&1 || true
                t=$(tail -1 "$tlog")
                cli=${t% *}; rss=${t#* }
            else
                s=$(date +%s.%N); "$build/netpolc" connlist "$out" >/dev/null 2>&1 || true
                cli=$(echo "$(date +%s.%N) - $s" | bc)
            fi
        fi
        echo "{\"size\":\"$size\",\"meta\":$(cat "$out/meta.jsonl"),\"bench\":$line,\"cli_s\":$cli,\"cli_rss_kib\":$rss}" >>"$results"
    done
done
"$py" "$root/bench/table.py" "$results"
