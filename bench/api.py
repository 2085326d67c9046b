"""The JSON API at the large seed size on SQLite: products list throughput and deep sales pages.

1. Requests/s of ``GET /api/products/`` (a page of 50) beside a bare Django JSON view measured the
   same way in the same run: the same session login and analyst check, the same two queries
   (count, page) and byte-for-byte the same JSON, built by hand with ``JsonResponse``. The bench
   checks the two bodies are equal before timing. Target: the API ≥ 0.6 × the bare view.
2. Latency of sales page 10,000 over page 1 (50 a page, the default order), through the cursor
   link the API itself hands out: ``next`` of page 9,999 (built with the paginator from the row
   that ends page 9,999; the bench checks the page starts at row 500,000). Target: ≤ 1.5.

Both are timed in-process with Django's test Client (no sockets: what is measured is Django, DRF
and the database, not a web server), in alternating rounds; figures are the medians of the
rounds, warm (the database file is in the page cache after the first round). The targets are judged
on this process's CPU time (``time.process_time``): client, Django and SQLite all run on this one
thread, so that is what a request costs, and other processes competing for the CPUs (a busy CI
box) don't skew one side. Wall-clock time (``time.perf_counter``) is printed beside it: what a
caller waits for, including waits on the disk and on a busy machine. DEBUG is off; throttling
stays on, with a rate that never trips.

The database is seeded once with ``seed_data --size large --seed 1 --until 2026-06-30`` under
BENCH_DIR (default: a directory in the temp dir keyed by those arguments) and reused;
``--data-dir PATH`` points at an existing seeded DATA_DIR instead (nothing is seeded there; a
``bench-analyst`` login is added). The headline is the last line; exits 1 on a miss.

    .venv/bin/python bench/api.py [--data-dir PATH] [--rounds 7] [--requests 200]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNTIL = "2026-06-30"
DEFAULT_DIR = Path(tempfile.gettempdir()) / f"ecommerce-bench-api-large-1-{UNTIL}"
THROUGHPUT_TARGET = 0.6
PAGE_SIZE = 50
DEPTH_TARGET = 1.5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an existing seeded DATA_DIR (nothing is seeded)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200, help="requests per side per round")
    parser.add_argument("--deep-page", type=int, default=10_000, help="the deep sales page (try less)")
    return parser.parse_args()


ARGS = parse_args()
DEEP_PAGE = ARGS.deep_page
DATA_DIR = (ARGS and ARGS.data_dir) or Path(os.environ.get("BENCH_DIR") or DEFAULT_DIR)
DATA_DIR.mkdir(parents=True, exist_ok=True)
os.environ.update({
    "DATA_DIR": str(DATA_DIR),
    "DJANGO_SETTINGS_MODULE": "ecommerce_analytics.settings",
    "DEBUG": "0",  # no query log: what production runs
    "API_THROTTLE_USER": "1000000/s",  # on, never tripping
    "LOG_LEVEL": "WARNING",
})
os.environ.pop("MONGODB_URI", None)
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

import django  # noqa: E402

# whitenoise notes a missing STATIC_ROOT under the bench DATA_DIR: nothing is served from it here
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.http import HttpResponseForbidden, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402

from bench.common import HOST, analyst_client  # noqa: E402
from catalog.models import Product  # noqa: E402
from core.api.pagination import KeysetCursorPagination  # noqa: E402
from core.permissions import can_read  # noqa: E402
from sales.models import Sale  # noqa: E402

SEEDED_MARK = DATA_DIR / "seeded.ok"
PRODUCT_FIELDS = ("id", "sku", "name", "description", "category", "brand", "price", "attributes", "active",
                  "created_at")


def bare_products(request):
    """The floor: the products list as a plain Django view (same checks, queries and JSON)."""
    if not (request.user.is_authenticated and can_read(request.user)):
        return HttpResponseForbidden()
    number = int(request.GET.get("page", 1))
    page = Paginator(Product.objects.order_by("name", "pk"), PAGE_SIZE).page(number)
    base = request.build_absolute_uri(reverse("catalog-api:product-list"))
    rows = []
    for row in page.object_list.values(*PRODUCT_FIELDS):
        pk = str(row["id"])
        rows.append({
            "id": pk, "url": f"{base}{pk}/", "sku": row["sku"], "name": row["name"],
            "description": row["description"], "category": row["category"], "brand": row["brand"],
            "price": f"{row['price']:.2f}", "attributes": row["attributes"], "active": row["active"],
            "created_at": row["created_at"].isoformat().replace("+00:00", "Z"),
        })
    return JsonResponse({
        "count": page.paginator.count,
        "next": f"{base}?page={number + 1}" if page.has_next() else None,
        "previous": (f"{base}?page={number - 1}" if number > 2 else base) if page.has_previous() else None,
        "results": rows,
    })


urlpatterns = [path("bench/products/", bare_products), path("", include("ecommerce_analytics.urls"))]


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if ARGS.data_dir is None and not SEEDED_MARK.exists():
        print(f"Seeding {DATA_DIR} (large, seed 1, until {UNTIL}); this takes minutes, once.", flush=True)
        call_command("seed_data", size="large", seed="1", until=UNTIL, clear=True, verbosity=0)
        SEEDED_MARK.write_text(UNTIL)
    if Sale.objects.count() < DEEP_PAGE * PAGE_SIZE:
        sys.exit(f"{DATA_DIR} has fewer than {DEEP_PAGE * PAGE_SIZE:,} sales: seed it with --size large.")


def get_json(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def rates(client: Client, url: str, n: int) -> tuple[float, float]:
    """Requests per second of CPU time and of wall-clock time over ``n`` requests."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        client.get(url)
    return n / (time.process_time() - cpu), n / (time.perf_counter() - wall)


def latencies_ms(client: Client, url: str, n: int) -> tuple[float, float]:
    """Mean CPU and wall milliseconds per request over ``n`` requests (one is below the clock's grain)."""
    cpu, wall = rates(client, url, n)
    return 1000 / cpu, 1000 / wall


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def deep_sales_url() -> tuple[str, Sale]:
    """The `next` link of page DEEP_PAGE - 1, as the API builds it, and the row page DEEP_PAGE starts with."""
    ordered = Sale.objects.order_by("-sold_at", "-pk")
    last_of_previous = ordered[(DEEP_PAGE - 1) * PAGE_SIZE - 1]
    first_of_deep = ordered[(DEEP_PAGE - 1) * PAGE_SIZE]
    paginator = KeysetCursorPagination()
    paginator.meta, paginator.column = Sale._meta, "sold_at"
    paginator.base_url = f"http://{HOST}{reverse('sales-api:sale-list')}"
    return paginator.encode_cursor(paginator.position_of(last_of_previous, reverse=False)), first_of_deep


def main() -> int:
    prepare()
    client = analyst_client()
    print(f"{Product.objects.count():,} products, {Sale.objects.count():,} sales in {DATA_DIR}; "
          f"{ARGS.rounds} rounds × {ARGS.requests} requests a side")

    api_url, bare_url = "/api/products/", "/bench/products/"
    with override_settings(ROOT_URLCONF=__name__):
        for page in (1, 2, 3):
            api = get_json(client, f"{api_url}?page={page}")
            bare = get_json(client, f"{bare_url}?page={page}")
            same_links = {"next": api["next"], "previous": api["previous"]}
            assert api == {**bare, **same_links}, f"bodies differ on page {page}"
            assert len(api["results"]) == PAGE_SIZE
        api_rates, bare_rates = [], []
        for _ in range(ARGS.rounds):
            bare_rates.append(rates(client, bare_url, ARGS.requests))
            api_rates.append(rates(client, api_url, ARGS.requests))
    (api_rate, api_wall), (bare_rate, bare_wall) = medians(api_rates), medians(bare_rates)
    throughput = api_rate / bare_rate
    print(f"products page of {PAGE_SIZE}: API {api_rate:,.0f} req/s of CPU ({api_wall:,.0f} wall), "
          f"bare Django JSON view {bare_rate:,.0f} req/s of CPU ({bare_wall:,.0f} wall) "
          f"(floor) → {throughput:.2f}× CPU, {api_wall / bare_wall:.2f}× wall (target ≥ {THROUGHPUT_TARGET})")

    first_url = f"/api/sales/?page_size={PAGE_SIZE}"
    deep_url, first_of_deep = deep_sales_url()
    deep_page = get_json(client, deep_url)
    assert deep_page["results"][0]["id"] == str(first_of_deep.pk), "the cursor does not land on page 10,000"
    assert len(deep_page["results"]) == PAGE_SIZE and deep_page["next"] and deep_page["previous"]
    get_json(client, first_url)
    first_ms, deep_ms = [], []
    for _ in range(ARGS.rounds):
        first_ms.append(latencies_ms(client, first_url, ARGS.requests // 2))
        deep_ms.append(latencies_ms(client, deep_url, ARGS.requests // 2))
    (first, first_wall), (deep, deep_wall) = medians(first_ms), medians(deep_ms)
    depth = deep / first
    started = time.perf_counter()
    list(Sale.objects.order_by("-sold_at", "-pk")[(DEEP_PAGE - 1) * PAGE_SIZE:DEEP_PAGE * PAGE_SIZE])
    offset_ms = (time.perf_counter() - started) * 1000
    print(f"sales page 1: {first:.2f} ms CPU ({first_wall:.2f} wall), page {DEEP_PAGE:,} (cursor): "
          f"{deep:.2f} ms CPU ({deep_wall:.2f} wall) → {depth:.2f}× CPU, {deep_wall / first_wall:.2f}× wall "
          f"(target ≤ {DEPTH_TARGET}); for scale, the same page by OFFSET is {offset_ms:.0f} ms (wall) of SQL alone")

    ok = throughput >= THROUGHPUT_TARGET and depth <= DEPTH_TARGET
    print(f"api: products list {api_rate:,.0f} req/s of CPU = {throughput:.2f}× bare Django "
          f"({api_wall / bare_wall:.2f}× by wall clock; target ≥ {THROUGHPUT_TARGET} on CPU); "
          f"sales page {DEEP_PAGE:,}/page 1 latency {depth:.2f}× (target ≤ {DEPTH_TARGET}): "
          f"{'ok' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
