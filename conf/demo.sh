#!/bin/sh
# Starts the demo site: `make demo` runs this after building the module.
#
#   NGINX_BIN   nginx to run               (default /usr/sbin/nginx)
#   BUILD       build directory, relative to the repository or absolute
#                                          (default build)
#   DEMO_PORT   port on 127.0.0.1          (default 8080)
#   DEMO_DRY_RUN=1  render build/demo/nginx.conf, print it, run nothing
#
# On first run it makes build/demo/consent.keys (one fresh signing key);
# later runs keep it, so consent cookies stay valid across restarts.

set -e

say() { printf '%s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
BUILD=${BUILD:-build}
PORT=${DEMO_PORT:-8080}

case $BUILD in
    /*) ;;
    *)  BUILD=$REPO/$BUILD ;;
esac

case $PORT in
    ''|*[!0-9]*|??????*) die "DEMO_PORT must be a port number, not '$PORT'" ;;
esac
if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    die "DEMO_PORT out of range: $PORT"
fi

MODULE=$BUILD/ngx_http_consent_module.so
[ -f "$MODULE" ] || die "$MODULE not found: run 'make' (or 'make demo') first"

mkdir -p "$BUILD/demo"
PREFIX=$(cd "$BUILD/demo" && pwd -P)
MODULE=$(cd "$BUILD" && pwd -P)/ngx_http_consent_module.so
CONF=$PREFIX/nginx.conf
KEYS=$PREFIX/consent.keys

# nginx.conf quotes these paths; refuse characters it would interpret
for p in "$REPO" "$PREFIX"; do
    case $p in
        *[\"\'\\\$\;{}]*|*'
'*) die "unsupported character in path: $p" ;;
    esac
done

# the signing key: 32 random bytes, readable by the owner only
if [ ! -f "$KEYS" ]; then
    if command -v openssl >/dev/null 2>&1; then
        secret=$(openssl rand -base64 32)
    else
        secret=$(head -c 32 /dev/urandom | base64)
    fi
    [ -n "$secret" ] || die "could not generate a key"
    (umask 077 && printf 'k1 %s\n' "$secret" > "$KEYS")
    chmod 600 "$KEYS"
    unset secret
    say "demo: generated a new signing key in $KEYS"
fi

# workers run as the user who owns the checkout, so they can read the
# site wherever it lives; nginx ignores `user` unless started as root
if [ "$(id -u)" = 0 ]; then
    USER_LINE="user  $(stat -c '%U %G' "$REPO");"
else
    USER_LINE="# user: nginx runs as $(id -un), the user who started it"
fi

# sed replacement text: escape \ & and the | delimiter
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

sed -e "s|@PREFIX@|$(esc "$PREFIX")|g" \
    -e "s|@REPO@|$(esc "$REPO")|g" \
    -e "s|@MODULE@|$(esc "$MODULE")|g" \
    -e "s|@PORT@|$PORT|g" \
    -e "s|@USER@|$(esc "$USER_LINE")|g" \
    "$REPO/conf/demo.conf.in" > "$CONF.tmp"
mv "$CONF.tmp" "$CONF"

if [ -n "$DEMO_DRY_RUN" ]; then
    say "demo: rendered $CONF (dry run, nginx not started)"
    cat "$CONF"
    exit 0
fi

[ -x "$NGINX_BIN" ] || die "$NGINX_BIN not found: install nginx or set NGINX_BIN"

if ! out=$("$NGINX_BIN" -t -q -p "$PREFIX/" -c "$CONF" -e stderr 2>&1); then
    printf '%s\n' "$out" >&2
    die "nginx rejected $CONF (see above)"
fi

URL=http://127.0.0.1:$PORT
cat <<EOF

  ngx_http_consent_module demo
  ----------------------------
  $URL/            the article (with its analytics and marketing tags)
  $URL/es/         the same article in Spanish
  $URL/consent/    your cookie preferences

  curl -s -H 'Accept: application/json' $URL/consent/
                         the consent state, as JSON
  curl -i $URL/collect
                         403 until analytics is granted
  $BUILD/consent-audit verify --keys $BUILD/demo/consent.keys $BUILD/demo/consent.log
                         the audit log of every choice made, verified

  config: $CONF
  Ctrl-C stops the demo.  Port taken?  DEMO_PORT=8081 make demo

EOF

exec "$NGINX_BIN" -p "$PREFIX/" -c "$CONF" -e stderr
