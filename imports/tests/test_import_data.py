"""import_data: formats, upserts, real-export tolerance, bad rows, --skip-invalid, --dry-run."""

import datetime as dt
import gzip
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Customer
from analytics.figures.sales import sales_totals
from catalog.models import Product
from core.filters import DateRange
from feedback.models import Feedback
from sales.models import Sale

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "name,email,city,country,joined_at\n"
    "Ana Lima,Ana@Example.com,Lisbon,Portugal,2024-01-05\n"
    "Bo Berg,bo@example.com,,Sweden,\n"
)
PRODUCTS = "sku,name,category,price\nLAMP-1,Desk lamp,Home & Kitchen,10.00\nBOOK-1,Atlas,,25.50\n"
SALES = (
    "external_id,customer_email,product_sku,quantity,unit_price,total,sold_at\n"
    "S1,ana@example.com,LAMP-1,3,10.00,30.00,2024-02-01T10:00:00Z\n"
    "S2,ANA@example.com,BOOK-1,2,25.50,45.00,2024-02-02 09:30:00+02:00\n"
    "S3,bo@example.com,LAMP-1,1,,,2024-03-01\n"
)


def write(tmp_path, name, text, *, gz=False, bom=False):
    path = tmp_path / name
    data = (("\ufeff" if bom else "") + text).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return str(path)


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def shop(tmp_path):
    run("customers", write(tmp_path, "customers.csv", CUSTOMERS, bom=True))
    run("products", write(tmp_path, "products.csv.gz", PRODUCTS, gz=True))
    run("sales", write(tmp_path, "sales.csv", SALES), "--join-at-first-order")


def test_imports_a_shop_and_fills_what_exports_leave_out(tmp_path):
    shop(tmp_path)
    ana, bo = Customer.objects.get(email="ana@example.com"), Customer.objects.get(email="bo@example.com")
    assert ana.joined_at == dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
    assert bo.city == "Unknown"
    assert bo.joined_at == dt.datetime(2024, 3, 1, tzinfo=dt.UTC)  # no join date: their first order's
    assert Product.objects.get(sku="BOOK-1").category == "Uncategorised"
    s1, s2, s3 = (Sale.objects.get(external_id=k) for k in ("S1", "S2", "S3"))
    assert (s2.total, s2.discount, s2.customer_id) == (Decimal("45.00"), Decimal("6.00"), ana.pk)
    assert s2.sold_at == dt.datetime(2024, 2, 2, 7, 30, tzinfo=dt.UTC)
    assert (s3.unit_price, s3.total, s3.discount) == (Decimal("10.00"), Decimal("10.00"), 0)
    assert s1.total == 30


def test_importing_twice_changes_nothing_and_a_corrected_file_updates(tmp_path):
    shop(tmp_path)
    before = list(Sale.objects.values())
    out, _ = run("sales", write(tmp_path, "sales.csv", SALES))
    assert "0 created, 0 updated, 3 unchanged" in out and "join dates moved" not in out
    out, _ = run("customers", write(tmp_path, "customers.csv", CUSTOMERS))
    assert "0 created, 0 updated, 2 unchanged" in out
    assert list(Sale.objects.values()) == before
    out, _ = run(
        "sales",
        write(
            tmp_path,
            "fix.csv",
            "external_id,customer_email,product_sku,quantity,sold_at\n"
            "S3,bo@example.com,LAMP-1,2,2024-03-01\n",
        ),
    )
    assert "1 updated" in out
    assert Sale.objects.get(external_id="S3").total == Decimal("20.00")
    assert Sale.objects.count() == 3


def test_json_lines_stdin_map_semicolons_and_timezone(tmp_path, monkeypatch):
    rows = [
        {
            "mail": "cy@example.com",
            "name": "Cy",
            "city": "Oslo",
            "country": "Norway",
            "joined_at": "2024-06-01T08:00:00",
        }
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    run("customers", "-", "--map", "mail=email", "--timezone", "Europe/Oslo")
    assert Customer.objects.get().joined_at == dt.datetime(2024, 6, 1, 6, 0, tzinfo=dt.UTC)
    run(
        "products",
        write(tmp_path, "p.csv", "sku;name;category;price\nX-1;Thing;Toys;1,5\n".replace("1,5", "1.5")),
    )
    assert Product.objects.get().price == Decimal("1.50")


def test_sales_create_their_customers_and_products_in_the_same_run(tmp_path):
    run(
        "sales",
        write(
            tmp_path,
            "s.csv",
            "external_id,customer_email,customer_name,product_sku,product_name,sold_at,quantity,total\n"
            "A,new@example.com,New Person,P-9,Lamp,1997-03-04,2,15\n"
            "B,new@example.com,New Person,P-9,Lamp,1997-01-02,1,5\n",
        ),
    )
    customer = Customer.objects.get()
    assert customer.joined_at == dt.datetime(1997, 1, 2, tzinfo=dt.UTC)  # their first order
    product = Product.objects.get()
    # No unit price: the product's price is the first line's total / quantity, the rest discounts.
    assert (product.price, product.category) == (Decimal("7.50"), "Uncategorised")
    assert Sale.objects.get(external_id="A").discount == 0
    b = Sale.objects.get(external_id="B")
    assert (b.unit_price, b.discount, b.total) == (Decimal("7.50"), Decimal("2.50"), Decimal("5.00"))


BAD_SALES = (
    "external_id,customer_email,product_sku,quantity,unit_price,total,sold_at\n"
    "G1,ana@example.com,LAMP-1,1,10.00,10.00,2024-02-01\n"
    "B1,ana@example.com,LAMP-1,0,10.00,,2024-02-01\n"
    "B2,nobody@example.com,LAMP-1,1,10.00,,2024-02-01\n"
    "B3,ana@example.com,LAMP-1,1,10.00,12.00,2024-02-01\n"
    "B4,ana@example.com,LAMP-1,1,10.00,,1850-01-01\n"
    "B5,ana@example.com,LAMP-1,1,10.00,,2023-12-01\n"
    "G1,ana@example.com,LAMP-1,1,10.00,,2024-02-01\n"
    "B7,ana@example.com,LAMP-1,1,ten,,2024-02-01\n"
)


def test_bad_rows_write_nothing_and_each_is_named(tmp_path):
    run("customers", write(tmp_path, "c.csv", CUSTOMERS))
    run("products", write(tmp_path, "p.csv", PRODUCTS))
    path = write(tmp_path, "bad.csv", BAD_SALES)
    with pytest.raises(CommandError, match="7 bad row"):
        run("sales", path)
    assert not Sale.objects.exists()
    report = (tmp_path / "bad.csv.errors.txt").read_text().splitlines()
    fields = [line.split(": ")[1] for line in report]
    assert [line.split(": ")[0] for line in report] == [f"{path}:{n}" for n in (3, 4, 5, 6, 7, 8, 9)]
    assert fields == [
        "quantity",
        "customer_email",
        "total",
        "sold_at",
        "sold_at",
        "external_id",
        "unit_price",
    ]
    assert "Quantity must be at least 1." in report[0]


def test_skip_invalid_writes_the_good_rows_and_the_rejects(tmp_path):
    run("customers", write(tmp_path, "c.csv", CUSTOMERS))
    run("products", write(tmp_path, "p.csv", PRODUCTS))
    out, err = run("sales", write(tmp_path, "bad.csv", BAD_SALES), "--skip-invalid")
    assert list(Sale.objects.values_list("external_id", flat=True)) == ["G1"]
    rejects = (tmp_path / "bad.csv.rejects.csv").read_text().splitlines()
    assert rejects[0].startswith("file,line,field,reason") and len(rejects) == 8
    assert "7 rejected" in out


def test_dry_run_checks_everything_and_writes_nothing(tmp_path):
    out, _ = run("customers", write(tmp_path, "c.csv", CUSTOMERS), "--dry-run")
    assert "Dry run" in out and "2 created" in out
    assert not Customer.objects.exists()
    with pytest.raises(CommandError):
        run(
            "customers",
            write(tmp_path, "c2.csv", "name,email,city,country\nX,not-an-email,A,B\n"),
            "--dry-run",
        )


def test_feedback_and_rollups_follow_the_import(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        shop(tmp_path)
        run(
            "feedback",
            write(
                tmp_path,
                "f.jsonl",
                json.dumps(
                    {
                        "external_id": "R1",
                        "customer_email": "bo@example.com",
                        "product_sku": "LAMP-1",
                        "rating": 4,
                        "comment": "Fine",
                        "created_at": "2024-03-02T00:00:00Z",
                    }
                )
                + "\n",
            ),
        )
    assert Feedback.objects.get().rating == 4
    totals = sales_totals(date_range=DateRange(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert totals["revenue"] == pytest.approx(30 + 45 + 10) and totals["orders"] == 3


def test_unparseable_lines_are_bad_rows_too(tmp_path):
    path = write(tmp_path, "c.jsonl", '{"name": "A", "email": "a@example.com", "city": "X", "country": "Y"}\n'
                 "not json\n[1, 2]\n", gz=True)
    with pytest.raises(CommandError, match="2 bad row"):
        run("customers", path)
    report = (tmp_path / "c.jsonl.errors.txt").read_text()
    assert f"{path}:2: line: not valid JSON" in report
    assert f"{path}:3: line: each line must be a JSON object" in report
    path = write(tmp_path, "c.csv", 'name,email,city,country\n"Multi\nline",b@example.com,X,Y\nshort,row\n')
    with pytest.raises(CommandError, match="2 bad row"):
        run("customers", path)
    report = (tmp_path / "c.csv.errors.txt").read_text()
    assert f"{path}:2: name: Remove control characters" in report  # a name has no line breaks
    assert f"{path}:4: line: expected 4 columns" in report  # numbered past the two-line row
    assert not Customer.objects.exists()


def test_a_join_date_after_existing_sales_is_refused(tmp_path):
    shop(tmp_path)
    path = write(tmp_path, "late.csv", "email,joined_at\nana@example.com,2024-06-01\n")
    with pytest.raises(CommandError):
        run("customers", path)
    assert "joined_at: The customer has a sale or feedback dated 2024-02-01" in (
        tmp_path / "late.csv.errors.txt").read_text()


def test_quiet_in_a_pipe(tmp_path, capsys):
    run("customers", write(tmp_path, "c.csv", CUSTOMERS))
    assert "rows/s" not in capsys.readouterr().err  # no progress bar off a terminal


def test_a_skipped_row_creates_no_customer_or_product(tmp_path):
    run("sales", write(tmp_path, "s.csv",
                       "external_id,customer_email,customer_name,product_sku,product_name,sold_at,quantity,"
                       "unit_price,total\n"
                       "A,new@example.com,New,P-9,Lamp,1997-03-04,1,10,15\n"  # total above the price: bad
                       "B,ok@example.com,Ok,P-1,Mug,1997-03-04,1,5,5\n"), "--skip-invalid")
    assert list(Customer.objects.values_list("email", flat=True)) == ["ok@example.com"]
    assert list(Product.objects.values_list("sku", flat=True)) == ["P-1"]


@pytest.mark.parametrize(("kind", "text", "field"), [
    ("customers", "name,email,joined_at\nCy,cy@example.com,2099-01-01\nDi,di@example.com,1899-12-31\n",
     "joined_at"),
    ("products", "sku,name,price,created_at\nP-9,Lamp,1.00,2099-01-01\nP-8,Atlas,1.00,1899-12-31\n", "created_at"),
    ("sales", "external_id,customer_email,product_sku,quantity,unit_price,sold_at\n"
              "F1,ana@example.com,LAMP-1,1,10.00,2099-01-01T00:00:00Z\n"
              "F2,ana@example.com,LAMP-1,1,10.00,1899-12-31T23:00:00Z\n", "sold_at"),
    ("feedback", "external_id,customer_email,product_sku,rating,created_at\n"
                 "R1,ana@example.com,LAMP-1,5,2099-01-01\nR2,ana@example.com,LAMP-1,4,1899-12-31\n", "created_at"),
])
def test_dates_outside_the_window_are_bad_rows_of_every_kind(tmp_path, kind, text, field):
    """The window of sane dates holds on the import path too: a date in the future or before 1900."""
    shop(tmp_path)
    before = {model: model.objects.count() for model in (Customer, Product, Sale, Feedback)}
    path = write(tmp_path, f"{kind}.csv", text)
    with pytest.raises(CommandError, match="2 bad row"):
        run(kind, path)
    assert {model: model.objects.count() for model in before} == before
    report = (tmp_path / f"{kind}.csv.errors.txt").read_text().splitlines()
    assert report == [
        f"{path}:2: {field}: Dates cannot be in the future.",
        f"{path}:3: {field}: Dates cannot be before 1900-01-01.",
    ]
