#!/bin/sh
# Instructions of the scanner alone, counted by callgrind: one
# consent_html_feed() of each bench page (the page whole, with the
# per-request set-up), for a visitor without consent and one who granted
# everything, and the floor (consent-bench-floor.c: the least work a
# tokenizer must do to find the tags).  The difference of 6 scans and 1,
# over 5, so that loading
# the policy is not counted.  Repeatable on a noisy machine, where times
# are not (docs/performance.md).
#
#   sh bench/scan-callgrind.sh [BENCH_TOOL]
#
# Needs valgrind, build/consent-bench and the pages of bench/gen-pages.py
# (make bench-scan-callgrind makes both).

set -e

build=${BUILD:-build}
tool=${1:-$build/consent-bench}
pages=$build/bench/html
policy=conf/policy.json

if ! command -v valgrind >/dev/null; then
    echo "valgrind is missing: apt-get install valgrind" >&2
    exit 1
fi

# count RUNS MODE...: the instructions of consent-bench MODE RUNS PAGE
count() {
    runs=$1
    shift

    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$tool" \
        --policy "$policy" "$@" "$runs" "$f" 2>&1 \
        | sed -n 's/.*Collected : *//p'
}

printf '%-12s %-10s %14s %10s\n' page visitor instructions 'a byte'

for page in p2k p50k p500k; do
    f=$pages/$page.html
    size=$(wc -c < "$f")

    for who in none granted floor; do
        case $who in
        none)    mode=--scan ;;
        granted) mode="--granted --scan" ;;
        floor)   mode=--floor ;;
        esac

        one=$(count 1 $mode)
        six=$(count 6 $mode)
        n=$(( (six - one) / 5 ))
        printf '%-12s %-10s %14s %10s\n' "$page" "$who" "$n" \
            "$(awk "BEGIN { printf \"%.2f\", $n / $size }")"
    done
done
