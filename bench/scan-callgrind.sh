#!/bin/sh
# Instructions of the scanner alone, counted by callgrind: one
# consent_html_feed() of each bench page (the page whole, with the
# per-request set-up), for a visitor without consent and one who granted
# everything, whole and in 1 KB pieces (the two must stay within 15%);
# and the floor (consent-bench-floor.c: the least work a tokenizer must
# do to find the tags), whole.  Only bench_scan() or bench_floor_walk() is
# counted (loading the policy is not, and its hash seed made the counts
# move by a few hundred), and of that the difference of 6 runs and 1,
# over 5.  Repeatable on a noisy machine, where times are not
# (docs/performance.md).
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

# count FUNCTION OPTION... RUNS: the instructions of FUNCTION when
# consent-bench runs with OPTION... RUNS over the page $f
count() {
    fn=$1
    shift

    valgrind --tool=callgrind --toggle-collect="$fn" \
        --callgrind-out-file=/dev/null "$tool" \
        --policy "$policy" "$@" "$f" 2>&1 \
        | sed -n 's/.*Collected : *//p'
}

# per run: the difference of 6 runs and 1, over 5
per() {
    one=$(count "$@" 1)
    six=$(count "$@" 6)
    echo $(( (six - one) / 5 ))
}

ratio() {
    awk "BEGIN { printf \"%.$3f\", $1 / $2 }"
}

printf '%-7s %-8s %12s %7s %12s %7s %7s\n' page visitor whole 'a byte' \
    '1k pieces' 'a byte' ratio

for page in ${PAGES:-p2k p50k p500k}; do
    f=$pages/$page.html
    size=$(wc -c < "$f")

    for who in none granted; do
        g=
        [ "$who" = granted ] && g=--granted
        n=$(per bench_scan $g --piece 0 --scan)
        m=$(per bench_scan $g --piece 1024 --scan)
        printf '%-7s %-8s %12s %7s %12s %7s %7s\n' "$page" "$who" "$n" \
            "$(ratio $n $size 2)" "$m" "$(ratio $m $size 2)" \
            "$(ratio $m $n 3)"
    done

    n=$(per bench_floor_walk --floor)
    printf '%-7s %-8s %12s %7s\n' "$page" floor "$n" "$(ratio $n $size 2)"
done
