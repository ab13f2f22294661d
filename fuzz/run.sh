#!/bin/sh
# Runs every libFuzzer target built in BUILD_DIR for SECONDS in total (split
# evenly), each on a writable copy of its seed corpus with the dictionary.
# Fails, naming the artifact, if a crash, leak, timeout or OOM is found.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-60}
shift; [ $# -gt 0 ] && shift
build=$(cd "$build" && pwd)

if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(cd "$build/fuzz" 2>/dev/null && ls fuzz_* 2>/dev/null | sed 's/^fuzz_//') || true
fi
[ -n "$targets" ] || { echo "fuzz/run.sh: no fuzz targets in $build/fuzz (configure with -DNETPOLC_FUZZ=ON)" >&2; exit 2; }
n=$(echo "$targets" | wc -w)
per=$((seconds / n)); [ "$per" -ge 1 ] || per=1

status=0
for t in $targets; do
    bin="$build/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz/run.sh: missing $bin" >&2; status=1; continue; }
    work="$build/fuzz-work/$t"
    mkdir -p "$work/corpus" "$work/artifacts"
    # writable copy of the seeds; inputs found in earlier runs are kept
    if [ -d "$here/corpus/$t" ]; then cp -f "$here/corpus/$t"/* "$work/corpus/" 2>/dev/null || true; fi
    dict=""
    [ -f "$here/dict/yaml_k8s.dict" ] && dict="-dict=$here/dict/yaml_k8s.dict"
    log="$work/fuzz.log"
    echo "fuzz $t: ${per}s, corpus $work/corpus, log $log"
    before=$(ls "$work/artifacts" | wc -l)
    set +e
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$bin" -max_total_time="$per" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 $dict -artifact_prefix="$work/artifacts/" \
        "$work/corpus" >"$log" 2>&1
    rc=$?
    set -e
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$log" | sed "s/^/  $t: /" || true
    after=$(ls "$work/artifacts" | wc -l)
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        status=1
        echo "fuzz $t: FAILED (exit $rc); last lines of $log:" >&2
        grep -E 'ERROR:|SUMMARY:|Test unit written to' "$log" | tail -5 >&2 || tail -20 "$log" >&2
        for a in $(ls -t "$work/artifacts"); do echo "  artifact: $work/artifacts/$a" >&2; done
    fi
done
exit $status
