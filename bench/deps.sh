#!/bin/sh
# Installs what make bench needs besides the build's own packages (see
# auto/deps): wrk, Python 3 and taskset (util-linux).  As root with
# apt-get; otherwise it stops with the exact command to run.

set -e

missing=
for p in wrk python3 util-linux; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
         | grep -q 'install ok installed'
    then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "make bench: missing Debian packages; run:" >&2
    echo "  sudo apt-get install$missing" >&2
    exit 1
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
