#!/bin/sh
# The entrypoint of the nginx service in deploy/compose.yaml: it serves the shipped site,
# deploy/nginx/werkplaats.conf (mounted at $SITE), changed only where compose differs from one
# machine, then runs nginx in the foreground:
#
# - the upstream servers 127.0.0.1:8001 and 127.0.0.1:8002 become the compose services web1 and
#   web2 ($WERKPLAATS_UPSTREAM_1 and $WERKPLAATS_UPSTREAM_2: their fixed addresses on the front
#   network, so nginx never holds a stale address when a container is recreated);
# - werkplaats.example.org (server_name and certificate paths) becomes $WERKPLAATS_SERVER_NAME;
# - the IPv6 listen lines go when the container has no IPv6.
#
# Everything else (the session hash, websocket upgrade, TLS settings, /metrics refused) is the
# shipped site's, unchanged. A site that no longer contains what is replaced stops here with a
# message, instead of serving something half changed. POSIX sh (the image's busybox).
set -eu

SITE=${SITE:-/etc/werkplaats/werkplaats.conf}
OUT=${OUT:-/etc/nginx/conf.d/default.conf}
: "${WERKPLAATS_SERVER_NAME:?set WERKPLAATS_SERVER_NAME (the site's host name) for nginx}"
: "${WERKPLAATS_UPSTREAM_1:?set WERKPLAATS_UPSTREAM_1 (address:port of web1)}"
: "${WERKPLAATS_UPSTREAM_2:?set WERKPLAATS_UPSTREAM_2 (address:port of web2)}"

for expected in "server 127.0.0.1:8001 " "server 127.0.0.1:8002 " "werkplaats.example.org"; do
    if ! grep -qF "$expected" "$SITE"; then
        echo "compose-site.sh: $SITE no longer contains '$expected'; update deploy/nginx/compose-site.sh" >&2
        exit 1
    fi
done

tmp="$OUT.tmp"
sed -e "s|server 127\.0\.0\.1:8001 |server $WERKPLAATS_UPSTREAM_1 |" \
    -e "s|server 127\.0\.0\.1:8002 |server $WERKPLAATS_UPSTREAM_2 |" \
    -e "s|werkplaats\.example\.org|$WERKPLAATS_SERVER_NAME|g" \
    "$SITE" > "$tmp"
if [ ! -e /proc/net/if_inet6 ]; then
    sed -i -e '/^[[:space:]]*listen \[::\]/d' "$tmp"
fi
mv "$tmp" "$OUT"

if [ "$#" -eq 0 ]; then
    set -- nginx -g "daemon off;"
fi
exec "$@"
