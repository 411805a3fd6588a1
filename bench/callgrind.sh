#!/bin/sh
# Instructions per request in the nginx worker, counted by callgrind:
# repeatable on a noisy machine, where times are not.  User space only
# (the kernel's share of sending a page is not counted).
#
#   sh bench/callgrind.sh [N]        N requests a case (default 100)
#   CALLGRIND_PAGES="assets/photo.png" sh bench/callgrind.sh   other pages
#
# Needs a finished "make bench" (its build/bench/w1/nginx.conf and pages
# are reused), valgrind and curl.
# Prints, per case, instructions per request and the costliest functions
# (per request); leaves the profiles in build/bench/callgrind/.

set -e

n=${1:-100}
build=$(cd "${BUILD:-build}" && pwd)
nginx=${NGINX_BIN:-/usr/sbin/nginx}
bench=$build/bench
out=$bench/callgrind
conf=$bench/w1/nginx.conf

[ -f "$conf" ] || { echo "run make bench first" >&2; exit 1; }
if ! command -v valgrind >/dev/null; then
    echo "valgrind is missing: apt-get install valgrind" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"

# one process, no master: callgrind follows it
sed -e 's/^master_process on;/master_process off;/' \
    -e "s|^pid .*|pid $out/nginx.pid;|" \
    -e "s|^error_log .*|error_log $out/error.log notice;|" \
    "$conf" > "$out/nginx.conf"

# the port of server $2 (plain, consent, sub1, sub5) with sendfile $1
port() {
    awk -v sf="$1" -v want="$2" '
        /--- sendfile/ { cur = $4 }
        /listen/ && cur == sf { i++; split($2, a, ":"); sub(";", "", a[2]);
                                p[i] = a[2] }
        END { split("plain consent sub1 sub5", names, " ");
              for (k = 1; k <= 4; k++) if (names[k] == want) print p[k] }
    ' "$out/nginx.conf"
}

valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.%p" \
    "$nginx" -p "$out/" -c "$out/nginx.conf" -e "$out/error.log" \
    2> "$out/valgrind.log" &
vg=$!

i=0
until [ -s "$out/nginx.pid" ] && curl -s -o /dev/null \
    "http://127.0.0.1:$(port off plain)/p2k.html"
do
    i=$((i + 1))
    [ $i -lt 100 ] || { kill $vg; echo "nginx did not start" >&2; exit 1; }
    sleep 0.2
done

pid=$(cat "$out/nginx.pid")

# a cookie that grants everything
cookie=$(curl -s -D - -o /dev/null -X POST \
    -H 'Content-Type: application/json' --data '{"action":"accept_all"}' \
    "http://127.0.0.1:$(port off consent)/consent/" \
    | sed -n 's/^Set-Cookie: consent=\([^;]*\).*/\1/p')

run() {         # name sendfile server page [cookie]
    set -- "$(echo "$1" | tr / -)" "$2" "$3" "$4" "$5"
    urls=
    url="http://127.0.0.1:$(port "$2" "$3")/$4"
    j=0
    while [ $j -lt "$n" ]; do urls="$urls $url"; j=$((j + 1)); done
    callgrind_control -z "$pid" >/dev/null
    if [ -n "$5" ]; then
        curl -s -H "Cookie: consent=$5" $urls > /dev/null
    else
        curl -s $urls > /dev/null
    fi
    callgrind_control -d "$1" "$pid" >/dev/null
    f=$(ls -t "$out"/callgrind.$pid.* | head -1)
    mv "$f" "$out/$1.out"
    total=$(callgrind_annotate "$out/$1.out" | awk '/PROGRAM TOTALS/ {
        gsub(",", "", $1); print $1 }')
    printf '%-28s %9d instructions/request\n' "$1" $((total / n))
    # the costliest functions with symbols (Debian's nginx is stripped:
    # its own code is counted in "main")
    callgrind_annotate --threshold=100 "$out/$1.out" \
        | awk -v n="$n" '/file:function/ { f = 1; next }
            f && /%\)/ && !/100\.0%/ && k < 6 { k++; c = $1; gsub(",", "", c)
                l = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", l)
                sub(/ \[.*/, "", l); sub(/.*:/, "", l)
                printf "      %8d  %s\n", c / n, l }'
}

for page in ${CALLGRIND_PAGES:-p2k.html p50k.html}; do
    run "plain-off-$page" off plain $page
    run "module-none-off-$page" off consent $page
    [ -n "$cookie" ] && run "module-all-off-$page" off consent $page "$cookie"
    run "sub1-off-$page" off sub1 $page
    run "sub5-off-$page" off sub5 $page
done

kill "$pid" 2>/dev/null || true
wait $vg 2>/dev/null || true
