"""The Import page: staff upload, read the row report, confirm; analysts and others are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Customer

pytestmark = pytest.mark.django_db
GOOD = b"name,email,city,country\nAna,ana@example.com,Lisbon,Portugal\n"
BAD = b"name,email,city,country\nAna,not-an-email,Lisbon,Portugal\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def upload(client, content, **extra):
    data = {"kind": "customers", "file": SimpleUploadedFile("c.csv", content), **extra}
    return client.post("/imports/", data)


def test_staff_check_then_confirm(staff_client):
    assert staff_client.get("/imports/").status_code == 200
    response = upload(staff_client, GOOD)
    assert response.status_code == 302
    status = staff_client.get(response["Location"])
    assert b"Checked: ready to import." in status.content and b"1 created" in status.content
    assert not Customer.objects.exists()
    done = staff_client.post(response["Location"] + "confirm/")
    assert done.status_code == 302
    assert b"Imported." in staff_client.get(done["Location"]).content
    assert Customer.objects.get().email == "ana@example.com"


def test_bad_rows_are_reported_and_cannot_be_confirmed(staff_client):
    response = upload(staff_client, BAD)
    page = staff_client.get(response["Location"]).content.decode()
    assert "c.csv:2: email: Enter a valid email address." in page
    assert "nothing can be written" in page
    assert staff_client.post(response["Location"] + "confirm/").status_code == 404
    assert not Customer.objects.exists()


@pytest.mark.access
def test_analysts_get_403_and_visitors_the_login(analyst_user, staff_user):
    staff_client, analyst_client, client = Client(), Client(), Client()
    staff_client.force_login(staff_user)
    analyst_client.force_login(analyst_user)
    token_url = upload(staff_client, GOOD)["Location"]
    assert analyst_client.get("/imports/").status_code == 403
    assert upload(analyst_client, GOOD).status_code == 403
    assert analyst_client.get(token_url).status_code == 403
    assert analyst_client.post(token_url + "confirm/").status_code == 403
    assert client.get("/imports/").status_code == 302
    assert not Customer.objects.exists()


@pytest.mark.django_db(transaction=True)  # commits, so the step runs inside the job as it does live
def test_importing_sales_reports_the_lifetime_value_step(staff_client):
    """Two sales of one customer are too few to fit: the import is done and the page says why no fit."""
    from analytics.customer_value import TOO_FEW_REPEATS
    from sales.models import Sale

    sales = (b"external_id,customer_email,customer_name,product_sku,product_name,sold_at,quantity,total\n"
             b"A,new@example.com,New Person,P-9,Lamp,2025-03-04,2,15\n"
             b"B,new@example.com,New Person,P-9,Lamp,2025-04-02,1,5\n")
    response = upload(staff_client, sales, kind="sales")
    done = staff_client.post(response["Location"] + "confirm/")
    page = staff_client.get(done["Location"]).content.decode()
    assert "Imported." in page and Sale.objects.count() == 2
    assert "Lifetime value not fitted: " + TOO_FEW_REPEATS.format(n=1) in page
    assert "data-value-fit" in page and "Row report" not in page
