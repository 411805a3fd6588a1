#!/bin/sh
# Instructions of the scanner alone, counted by callgrind: one
# consent_html_feed() of each bench page (the page whole, with the
# per-request set-up), for a visitor without consent and one who granted
# everything, whole and in 1 KB pieces (the two must stay within 15%).
# Only bench_scan() is counted (loading the policy is not, and its
# hash seed made the counts move by a few hundred), and of that the
# difference of 6 scans and 1, over 5.  Repeatable on a noisy machine,
# where times are not (docs/performance.md).
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
    valgrind --tool=callgrind --toggle-collect=bench_scan \
        --callgrind-out-file=/dev/null "$tool" \
        --policy "$policy" --scan "$@" 2>&1 \
        | sed -n 's/.*Collected : *//p'
}

printf '%-7s %-8s %12s %7s %12s %7s %7s\n' page visitor whole 'a byte' \
    '1k pieces' 'a byte' ratio

for page in ${PAGES:-p2k p50k p500k}; do
    f=$pages/$page.html
    size=$(wc -c < "$f")

    for who in none granted; do
        g=
        [ "$who" = granted ] && g=--granted
        one=$(count 1 $g "$f")
        six=$(count 6 $g "$f")
        n=$(( (six - one) / 5 ))
        one=$(count 1 $g --piece 1024 "$f")
        six=$(count 6 $g --piece 1024 "$f")
        m=$(( (six - one) / 5 ))
        printf '%-7s %-8s %12s %7s %12s %7s %7s\n' "$page" "$who" "$n" \
            "$(awk "BEGIN { printf \"%.2f\", $n / $size }")" "$m" \
            "$(awk "BEGIN { printf \"%.2f\", $m / $size }")" \
            "$(awk "BEGIN { printf \"%.3f\", $m / $n }")"
    done
done
