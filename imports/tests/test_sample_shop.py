"""fixtures/sample/: import the sample shop into an empty database and check the API's figures
against the ones fixtures/sample/EXPECTED.md writes down (read from its table, so they cannot drift)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import Product

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "sample"
FILES = (
    ("customers", "customers.csv"), ("products", "products.csv"),
    ("sales", "sales.csv"), ("feedback", "feedback.jsonl"),
)


def expected_figures() -> dict[str, dict[str, str]]:
    """EXPECTED.md's figures table as ``{"date_from..date_to": {figure: cell}}``."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in (SAMPLE / "EXPECTED.md").read_text().splitlines()
        if line.startswith("|")
    ]
    start = next(i for i, row in enumerate(rows) if row[0] == "figure")
    header, table = rows[start], []
    for row in rows[start + 2:]:
        if len(row) != len(header) or row[0].startswith("**") or " " in row[0]:
            break
        table.append(row)
    return {span: {row[0]: row[col] for row in table} for col, span in enumerate(header) if col}


EXPECTED = expected_figures()


def test_expected_md_has_both_ranges_and_every_figure():
    assert list(EXPECTED) == ["2025-03-01..2025-03-31", "2025-03-01..2025-04-30"]
    names = {"revenue", "orders", "average_order_value", "top_product", "top_product_revenue",
             "average_rating", *(f"rating_{r}" for r in range(1, 6))}
    for figures in EXPECTED.values():
        assert set(figures) == names


@pytest.fixture
def sample_shop(db, django_capture_on_commit_callbacks):
    """The four files imported in order into an empty database, the rollups rebuilt after each
    (the test's transaction never commits, so the import's on-commit work is run here)."""
    from accounts.models import Customer
    from sales.models import Sale

    assert not Customer.objects.exists() and not Sale.objects.exists()
    for kind, name in FILES:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_data", kind, str(SAMPLE / name), stdout=out, stderr=io.StringIO())
        assert "0 rejected" in out.getvalue(), out.getvalue()


def money(cell: str) -> float:
    return round(float(cell), 2)


@pytest.mark.parametrize("span", list(EXPECTED))
def test_the_api_reports_the_expected_figures(sample_shop, analyst_client, span):
    expected = EXPECTED[span]
    date_from, date_to = span.split("..")
    query = {"date_from": date_from, "date_to": date_to}

    def get(name):
        response = analyst_client.get(f"/api/analytics/{name}/", query)
        assert response.status_code == 200, response.content
        return response.json()

    kpis = get("kpis")
    assert kpis["revenue"]["value"] == money(expected["revenue"])
    assert kpis["orders"]["value"] == int(expected["orders"])
    assert kpis["average_order_value"]["value"] == money(expected["average_order_value"])
    assert kpis["average_rating"]["value"] == round(float(expected["average_rating"]), 2)

    top = get("top_products")["by_revenue"][0]
    product = Product.objects.get(sku=expected["top_product"])
    assert (top["product_id"], top["name"], top["revenue"]) == (
        str(product.pk), product.name, money(expected["top_product_revenue"]),
    )

    ratings = {row["rating"]: row["count"] for row in get("rating_distribution")["rows"]}
    assert ratings == {r: int(expected[f"rating_{r}"]) for r in range(1, 6)}
