#!/bin/sh
# Import the data views, Lens charts, map and dashboard in saved_objects.ndjson into Kibana.
#
#   KIBANA_URL=http://localhost:5601 kibana/import.sh
#
# Waits for Kibana (up to WAIT_SECONDS), overwrites objects imported before, and exits non-zero
# when Kibana never answers or rejects any object. Data view titles are written for the default
# index prefix "ecommerce"; another ELASTICSEARCH_INDEX_PREFIX is put in their place.
set -eu

KIBANA_URL="${KIBANA_URL:-http://localhost:5601}"
PREFIX="${ELASTICSEARCH_INDEX_PREFIX:-ecommerce}"
WAIT_SECONDS="${WAIT_SECONDS:-300}"
HERE="$(cd "$(dirname "$0")" && pwd)"
OBJECTS="$HERE/saved_objects.ndjson"

case "$PREFIX" in
    *[!a-z0-9_-]* | "" | [_-]*)
        echo "ELASTICSEARCH_INDEX_PREFIX must be lowercase letters, digits, _ or - (got '$PREFIX')." >&2
        exit 2 ;;
esac

echo "Waiting for Kibana at $KIBANA_URL ..."
waited=0
until curl -fsS -o /dev/null "$KIBANA_URL/api/status"; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
        echo "Kibana did not answer at $KIBANA_URL within $WAIT_SECONDS s." >&2
        exit 1
    fi
    sleep 5
    waited=$((waited + 5))
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The import API wants a file whose name ends in .ndjson.
sed "s/\"title\":\"ecommerce-/\"title\":\"$PREFIX-/" "$OBJECTS" > "$work/saved_objects.ndjson"

response="$(curl -sS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
    -H "kbn-xsrf: true" --form "file=@$work/saved_objects.ndjson")"
echo "$response"
if echo "$response" | grep -Eq '"success" *: *true'; then
    echo "Imported the saved objects into Kibana."
else
    echo "Kibana did not import every object (see the response above)." >&2
    exit 1
fi
