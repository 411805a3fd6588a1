#!/bin/sh
# Instructions of the scanner alone, counted by callgrind: one
# consent_html_feed() of each bench page (the page whole, with the
# per-request set-up), for a visitor without consent and one who granted
# everything.  The difference of 6 scans and 1, over 5, so that loading
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

count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$tool" \
        --policy "$policy" --scan "$@" 2>&1 \
        | sed -n 's/.*Collected : *//p'
}

printf '%-12s %-10s %14s %10s\n' page visitor instructions 'a byte'

for page in p2k p50k p500k; do
    f=$pages/$page.html
    size=$(wc -c < "$f")

    for who in none granted; do
        g=
        [ "$who" = granted ] && g=--granted
        one=$(count 1 $g "$f")
        six=$(count 6 $g "$f")
        n=$(( (six - one) / 5 ))
        printf '%-12s %-10s %14s %10s\n' "$page" "$who" "$n" \
            "$(awk "BEGIN { printf \"%.2f\", $n / $size }")"
    done
done
