"""Pages load only their own static files (no CDN), which collectstatic + whitenoise serve outside DEBUG."""

import re

import pytest
from django.core.management import call_command

PAGES = ["/", "/users/", "/products/", "/sales/", "/feedback/"]
VENDORED = [
    "vendor/chart.js-4.6.1/chart.umd.min.js",
    "vendor/datatables.net-3.1.2/dataTables.min.js",
    "vendor/datatables.net-dt-3.1.2/dataTables.dataTables.min.css",
]


def asset_urls(html: str) -> list[str]:
    return re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("url", [*PAGES, "/login/"])
def test_pages_use_no_cdn(client, analyst_user, url):
    if url != "/login/":
        client.force_login(analyst_user)
    html = client.get(url).content.decode()
    assets = asset_urls(html)
    assert assets
    assert all(a.startswith("/static/") for a in assets), assets


def test_the_vendored_versions_are_listed():
    from django.conf import settings

    versions = (settings.BASE_DIR / "static" / "vendor" / "VERSIONS.md").read_text()
    pinned = [
        ("chart.js", "4.6.1", "MIT"), ("datatables.net", "3.1.2", "MIT"),
        ("datatables.net-dt", "3.1.2", "MIT"), ("chartjs-chart-geo", "4.3.6", "MIT"),
        ("world-atlas", "2.0.2", "ISC"),
    ]
    for package, version, licence in pinned:
        assert re.search(rf"^\| {re.escape(package)} \| {version} \| {licence}", versions, re.M), package


def test_collectstatic_and_whitenoise_serve_the_assets_by_hashed_name(analyst_client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        # Production uses whitenoise's compressing subclass; hashing is what the pages depend on.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    html = analyst_client.get("/sales/").content.decode()
    assets = asset_urls(html)
    for name in VENDORED[1:] + ["app/app.css", "app/format.js", "app/tables.js", "app/charts.js"]:
        stem, ext = name.rsplit(".", 1)
        (url,) = [a for a in assets if re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{ext}", a)]
        response = analyst_client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content if response.streaming else [response.content])
    # The map's script and the country shapes it fetches (from this server, by hashed name too).
    html = analyst_client.get("/users/").content.decode()
    (script,) = [a for a in asset_urls(html) if "chartjs-chart-geo" in a]
    atlases = set(re.findall(r'data-atlas="([^"]+)"', html))
    assert re.fullmatch(r"/static/vendor/world-atlas-2\.0\.2/countries-110m\.[0-9a-f]{12}\.json", *atlases)
    for url in (script, *atlases):
        response = analyst_client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content if response.streaming else [response.content])
