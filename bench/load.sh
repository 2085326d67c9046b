#!/usr/bin/env bash
# Load on gunicorn over loopback with wrk (Debian's `wrk` package; installed with apt-get if missing).
#
# How it measures: a throw-away DATA_DIR is migrated, seeded (BENCH_SIZE, default medium) and indexed;
# gunicorn serves it on 127.0.0.1 (WORKERS, default 2; DEBUG off). First one cold pass: each request of
# the rotation once with curl, every response computed (what a miss costs, wall time per request),
# then wrk runs DURATION (default 60 s) at CONNECTIONS (default 32) three times: over a rotation of API
# lists, search, autocomplete, analytics and the dashboard, with an analyst's token (and session and
# CSRF cookies, as a signed-in browser sends, for the dashboard page); over a bare Django JSON view
# (bench/load/urls.py) through the same middleware; and, for context only, over a REST framework view
# with the API's authentication, permission and throttle classes. The rotation is served mostly from
# the response cache (core.api.cache, core.page_cache): the data does not change during the run, so
# after each worker's first pass every request is a hit; the hit rate is printed from the X-Cache
# headers. The API throttle runs on every request at a rate raised for the run, per second so its
# history stays one second long (this measures throughput, not throttling). Prints requests/s, p50,
# p99, socket errors and non-2xx responses of each, and the ratio; the headline is the last line.
# Target: 0 errors, 0 non-2xx, mixed throughput >= 0.5x the bare view. Exits 1 on a miss.
#
# Served with the production gunicorn.conf.py (threaded workers, keep-alive), bare view included. A
# warm-up run (WARMUP seconds, default 5, not measured) lets each worker fill its own response cache.
#
# Measured (medium seed, 2 cores shared, 2 December): 60 s runs, mixed 4,071 req/s at 100% hits = 0.77x the
# bare view (5,287), the REST framework floor 2,808 = 0.53x. Before (0.41x): an answer was filed for replay
# only when computed, under the Accept header of the request that computed it (curl's */* here, where wrk
# sends none), so wrk's requests went through REST framework as normal hits all run. Before this round's replay of stored answers
# before URL resolution (core/replay.py) and the shared SQLite store for versions: 364 req/s = 0.34x (a
# run whose bare view was slowed); before the workers had their own listening sockets (reuse_port), runs
# moved between 0.13x and 0.69x as keep-alive connections piled onto one worker. Earlier: 105 req/s =
# 0.24x (load 8.7-14.5), 117 req/s = 0.13x with sync workers. What a hit still pays: README, bench/load.sh row.
#
#   bench/load.sh                       # DURATION=10 CONNECTIONS=32 bench/load.sh for a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-32}
WORKERS=${WORKERS:-2}
BENCH_SIZE=${BENCH_SIZE:-medium}
PORT=${PORT:-18765}
PY=.venv/bin/python

if ! command -v wrk >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y -qq wrk >/dev/null
fi

export DATA_DIR=$(mktemp -d /tmp/bench-load-XXXXXX)
# The shared file cache in memory, as by default (settings/env.py), but removed with the run.
export CACHE_DIR=$(mktemp -d "$([ -w /dev/shm ] && echo /dev/shm || echo "$DATA_DIR")/bench-load-cache-XXXXXX")
export API_THROTTLE_USER=10000000/s API_THROTTLE_ANON=10000000/s LOG_LEVEL=WARNING
export PYTHONPATH="$PWD:$PWD/bench/load"
export DJANGO_SETTINGS_MODULE=settings
unset MONGODB_URI ELASTICSEARCH_URL DEBUG
trap 'kill "${GUNICORN:-}" 2>/dev/null || true; rm -rf "$DATA_DIR" "$CACHE_DIR"' EXIT

$PY manage.py migrate --no-input -v 0
$PY manage.py seed_data --size "$BENCH_SIZE" >/dev/null
$PY manage.py search_index --rebuild -f >/dev/null 2>&1
$PY manage.py local_login >/dev/null
export TOKEN=$($PY manage.py api_token analyst | grep -oE '[0-9a-f]{40}' | head -1)
export SESSION=$($PY manage.py shell --no-imports -c "
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
u = get_user_model().objects.get(username='analyst')
s = SessionStore(); s[SESSION_KEY] = str(u.pk); s[HASH_SESSION_KEY] = u.get_session_auth_hash()
s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'; s.create(); print(s.session_key)")
export CSRF=$($PY -c "import secrets, string; print(''.join(secrets.choice(string.ascii_letters) for _ in range(32)))")

# The production settings (gunicorn.conf.py: threaded workers, keep-alive), only the worker count from here.
.venv/bin/gunicorn -c gunicorn.conf.py wsgi_app:application --pythonpath "$PWD,$PWD/bench/load" --bind 127.0.0.1:$PORT \
  --workers "$WORKERS" --log-level warning --error-logfile "$DATA_DIR/gunicorn.log" &
GUNICORN=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/bench/bare/" -H "Authorization: Token $TOKEN" && break; sleep 0.2; done

PATHS=$(grep -oE '^  "/[^"]*"' bench/load/mixed.lua | tr -d ' "')
passes() {  # the rotation once per pass with curl: wall ms per request, and the X-Cache answers
  for pass in 1 2; do
    for p in $PATHS; do
      curl -s -o /dev/null -w "$pass %{http_code} %{time_total} " -D "$DATA_DIR/h" "http://127.0.0.1:$PORT$p" \
        -H "Authorization: Token $TOKEN" -H "Cookie: sessionid=$SESSION; csrftoken=$CSRF"
      grep -i '^x-cache:' "$DATA_DIR/h" | tr -d '\r' | awk '{print $2}' || echo none
    done
  done
}

run() {  # name script [FLOOR_PATH]
  FLOOR_PATH=${3:-} wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "bench/load/$2.lua" \
    "http://127.0.0.1:$PORT" > "$DATA_DIR/$1.txt"
  $PY - "$1" "$DATA_DIR/$1.txt" <<'PYEOF'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(label):
    m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
total = int(re.search(r"(\d+) requests in", text).group(1))
cache = ""
if m := re.search(r"cache: (\d+) hits, (\d+) misses", text):
    hits, misses = int(m.group(1)), int(m.group(2))
    cache = f", cache hits {hits:,} of {total:,} ({hits / total:.1%}; {misses} misses)"
print(f"{name}: {total:,} requests, {rps:,.0f} req/s, p50 {ms('50'):.1f} ms, p99 {ms('99'):.1f} ms, "
      f"socket errors {errors}, non-2xx {non2xx}{cache}")
open(sys.argv[2] + ".sum", "w").write(f"{rps} {errors} {non2xx}\n")
PYEOF
}
echo "gunicorn: $WORKERS workers on 127.0.0.1:$PORT; wrk: ${DURATION} s at $CONNECTIONS connections, $BENCH_SIZE seed; $(uptime | sed 's/.*load/load/')"
passes > "$DATA_DIR/passes.txt"
$PY - "$DATA_DIR/passes.txt" <<'PYEOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
for n, label in (("1", "cold pass (each request of the rotation once, computed)"), ("2", "second pass (cached)")):
    ms = [float(r[2]) * 1000 for r in rows if r[0] == n]
    states = [r[3] if len(r) > 3 else "none" for r in rows if r[0] == n]
    codes = sorted({r[1] for r in rows if r[0] == n})
    print(f"{label}: mean {statistics.mean(ms):.1f} ms, max {max(ms):.1f} ms per request over {len(ms)} "
          f"(X-Cache {', '.join(f'{s} {states.count(s)}' for s in sorted(set(states)))}; status {', '.join(codes)})")
PYEOF
# The cold pass's forecasts start refits in the background (manage.py fits_refresh, analytics.fits):
# until they end they take a core from the server, and a run measured beside them measured them too
# (the bare view's rate moved threefold between runs). Wait for them.
waited=0
while pgrep -f "manage.py fits_refresh" >/dev/null && [ "$waited" -lt 600 ]; do sleep 1; waited=$((waited + 1)); done
echo "background refits after the cold pass: waited ${waited} s for them to end"
# Warm-up, not measured: each worker fills its own response cache (the cold pass above says what
# those misses cost); the measured runs then see the steady state the hit rate below confirms.
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-5}s" -s bench/load/mixed.lua "http://127.0.0.1:$PORT" > "$DATA_DIR/warmup.txt"
echo "warm-up (${WARMUP:-5} s, not measured): $(grep -oE 'cache: .*' "$DATA_DIR/warmup.txt")"
run mixed mixed
run bare bare /bench/bare/
run drf-floor bare /bench/drf/
read -r MIXED_RPS MIXED_ERR MIXED_NON2XX < "$DATA_DIR/mixed.txt.sum"
read -r BARE_RPS _ _ < "$DATA_DIR/bare.txt.sum"
read -r DRF_RPS _ _ < "$DATA_DIR/drf-floor.txt.sum"
echo "after the runs: $(uptime | sed 's/.*load/load/')"
$PY - "$MIXED_RPS" "$MIXED_ERR" "$MIXED_NON2XX" "$BARE_RPS" "$DRF_RPS" <<'PYEOF'
import sys
rps, errors, non2xx, bare, drf = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
ratio = rps / bare if bare else 0.0
ok = errors == 0 and non2xx == 0 and ratio >= 0.5
print(f"(context: the REST framework floor, auth + permission + throttle and nothing else, {drf:,.0f} req/s = "
      f"{drf / bare if bare else 0:.2f}x the bare view; mixed = {rps / drf if drf else 0:.2f}x that floor)")
print(f"mixed {rps:,.0f} req/s = {ratio:.2f}x the bare view ({bare:,.0f} req/s; target >= 0.5x), "
      f"errors {errors}, non-2xx {non2xx} (target 0) - {'OK' if ok else 'MISS'}")
sys.exit(0 if ok else 1)
PYEOF
