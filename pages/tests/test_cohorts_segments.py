"""The cohorts and segments pages: the heat map's cells open exactly the customers behind them, a
segment opens its customers, both as table rows and CSV; bad filters are messages or 400s."""

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qsl

import pytest

from analytics.figures.segments import Scores
from analytics.members import cohort_member_ids
from analytics.tests.test_cohorts import shop  # noqa: F401 (the fixture)
from tests.oracles import segments as segments_oracle

pytestmark = pytest.mark.django_db
D = dt.date


def csv_emails(client, url, params) -> set[str]:
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {row["email"] for row in rows}


def test_heat_map_cells_link_to_their_customers(analyst_client, shop):
    page = analyst_client.get("/users/cohorts/").content.decode()
    assert 'data-heatmap' in page and "2025-01" in page
    links = re.findall(r'data-cohort="2025-01" data-month="2025-03"[^>]*><a href="([^"]+)"', page)
    assert len(links) == 1
    table = analyst_client.get(links[0].replace("&amp;", "&").replace("/customers/?", "/customers/table/?"))
    assert [row["email"] for row in table.json()["data"]] == [shop["ann"].email]  # Ann came back in March
    params = {"cohort": "2025-01", "month": "2025-02"}
    assert csv_emails(analyst_client, "/api/analytics/cohort_customers/", params) == {shop["bob"].email}
    assert cohort_member_ids(cohort=D(2025, 2, 1), month=D(2025, 2, 1)) == [shop["cy"].pk]


def test_cohort_filters_and_views(analyst_client, shop):
    for query in ("show=customers", "show=revenue_per_customer&category=Books", "channel=store", "show=returned"):
        assert analyst_client.get(f"/users/cohorts/?{query}").status_code == 200
    page = analyst_client.get("/users/cohorts/?channel=fax").content.decode()
    assert "Unknown channel" in page
    assert analyst_client.get("/api/analytics/cohort_retention/", {"channel": "fax"}).status_code == 400
    assert analyst_client.get("/api/analytics/cohort_customers/").status_code == 400  # no cohort
    bad = analyst_client.get("/api/analytics/cohort_customers/", {"cohort": "2025-03", "month": "2025-01"})
    assert bad.status_code == 400 and "month" in bad.json()
    assert analyst_client.get("/users/cohorts/customers/table/", {"cohort": "May"}).status_code == 400


def test_segments_page_and_a_segments_customers(analyst_client, shop):
    as_of = {"date_to": "2025-03-31"}
    page = analyst_client.get("/users/segments/", as_of).content.decode()
    assert "data-movement" in page and "Champions" in page
    expected = {}
    for customer_id, (segment, _) in segments_oracle.segments_of(D(2025, 3, 31)).items():
        expected.setdefault(segment, set()).add(customer_id)
    emails = {c.pk: c.email for c in (shop["ann"], shop["bob"], shop["cy"])}
    for segment, ids in expected.items():
        params = {**as_of, "segment": segment}
        rows = analyst_client.get("/users/segments/customers/table/", params).json()["data"]
        assert {row["email"] for row in rows} == {emails[i] for i in ids}
        assert csv_emails(analyst_client, "/api/analytics/segment_customers/", params) == {emails[i] for i in ids}
    assert analyst_client.get("/api/analytics/segment_customers/", {"segment": "Gold"}).status_code == 400


def test_customer_page_shows_the_segment(analyst_client, shop):
    ann = shop["ann"]
    page = analyst_client.get(f"/users/{ann.pk}/", {"date_to": "2025-03-31"}).content.decode()
    expected = Scores(D(2025, 3, 31)).of(ann.pk)["segment"]
    assert expected == segments_oracle.segments_of(D(2025, 3, 31))[ann.pk][0]
    assert "data-customer-segment" in page and expected.replace("'", "&#x27;") in page


def test_a_movement_cell_opens_the_customers_who_moved(analyst_client, shop):
    import html

    from analytics.figures.segments import NOT_YET

    emails = {c.pk: c.email for c in (shop["ann"], shop["bob"], shop["cy"])}
    for date_from in ("2025-02-15", None):
        query = {"date_to": "2025-03-31", **({"date_from": date_from} if date_from else {})}
        before = segments_oracle.segments_of(D(2025, 2, 14)) if date_from else {}
        moved = {}
        for customer_id, (segment, _) in segments_oracle.segments_of(D(2025, 3, 31)).items():
            origin = before[customer_id][0] if customer_id in before else NOT_YET
            moved.setdefault((origin, segment), set()).add(emails[customer_id])
        page = analyst_client.get("/users/segments/", query).content.decode()
        links = {}
        for row in re.findall(r'<tr data-from="([^"]+)">(.*?)</tr>', page):
            for to, href in re.findall(r'data-to="([^"]+)"><a href="([^"]+)"', row[1]):
                links[(html.unescape(row[0]), html.unescape(to))] = html.unescape(href)
        assert set(links) == set(moved), date_from
        assert not date_from or any(origin != NOT_YET for origin, _ in moved)
        for cell, href in links.items():
            rows = analyst_client.get(href.replace("/customers/?", "/customers/table/?")).json()["data"]
            assert {row["email"] for row in rows} == moved[cell], cell
            params = dict(parse_qsl(href.split("?", 1)[1]))
            assert csv_emails(analyst_client, "/api/analytics/segment_customers/", params) == moved[cell]
    bad = analyst_client.get("/api/analytics/segment_customers/", {"segment": "Lost", "moved_from": "Gold"})
    assert bad.status_code == 400 and "moved_from" in bad.json()


def test_the_heat_map_and_the_segments_as_csv(analyst_client, shop):
    from analytics.figures.cohorts import cohort_retention
    from analytics.figures.segments import rfm_segments, segment_movement
    from core.filters import DateRange

    def lines(url, params):
        response = analyst_client.get(url, params)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    page = analyst_client.get("/users/cohorts/", {"category": "Books"}).content.decode()
    assert 'href="/users/cohorts/csv/?category=Books" data-csv' in page
    figure = cohort_retention(date_range=DateRange(), category="Books")
    rows = lines("/users/cohorts/csv/", {"category": "Books"})
    assert [(r["cohort"], r["month"], int(r["customers"]), float(r["revenue_per_customer"])) for r in rows] == [
        (c["cohort"], cell["month"], cell["customers"], cell["revenue_per_customer"])
        for c in figure["cohorts"] for cell in c["cells"]]
    assert rows and analyst_client.get("/users/cohorts/csv/", {"channel": "fax"}).status_code == 400
    span = {"date_from": "2025-02-15", "date_to": "2025-03-31"}
    counts = rfm_segments(date_range=DateRange(D(2025, 2, 15), D(2025, 3, 31)))
    assert [(r["segment"], int(r["customers"])) for r in lines("/users/segments/csv/", span)] == [
        (s["segment"], s["customers"]) for s in counts["segments"]]
    moved = segment_movement(date_range=DateRange(D(2025, 2, 15), D(2025, 3, 31)))
    assert [(r["from"], int(r["Lost"]), int(r["customers"]))
            for r in lines("/users/segments/csv/", {**span, "table": "movement"})] == [
        (row["from"], row["to"]["Lost"], row["customers"]) for row in moved["rows"]]
    assert analyst_client.get("/users/segments/csv/", {"date_to": "soon"}).status_code == 400


def test_weekly_cohorts_page_api_csv_and_cells(analyst_client, shop):
    from analytics.figures.cohorts import cohort_retention
    from core.filters import DateRange
    from tests.oracles import cohorts as cohorts_oracle

    figure = analyst_client.get("/api/analytics/cohort_retention/", {"period": "week"}).json()
    assert figure == cohorts_oracle.cohort_retention(date_range=DateRange(), period="week")
    assert [c["cohort"] for c in figure["cohorts"]] == ["2025-W01", "2025-W04", "2025-W07"]
    page = analyst_client.get("/users/cohorts/", {"period": "week"}).content.decode()
    assert 'data-period="week"' in page and "Weeks since the first purchase" in page
    assert '<option value="week" selected>' in page
    # Ann first bought in 2025-W04 and came back in W05 (31 January) and W09 (1 March).
    links = re.findall(r'data-cohort="2025-W04" data-week="2025-W09"[^>]*><a href="([^"]+)"', page)
    assert len(links) == 1 and "week=2025-W09" in links[0]
    table = analyst_client.get(links[0].replace("&amp;", "&").replace("/customers/?", "/customers/table/?"))
    assert [row["email"] for row in table.json()["data"]] == [shop["ann"].email]
    assert csv_emails(analyst_client, "/api/analytics/cohort_customers/",
                      {"cohort": "2025-W01", "week": "2025-W07"}) == {shop["bob"].email}
    assert csv_emails(analyst_client, "/api/analytics/cohort_customers/", {"cohort": "2025-W07"}) == {
        shop["cy"].email}
    response = analyst_client.get("/users/cohorts/csv/", {"period": "week", "category": "Books"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    books = cohort_retention(date_range=DateRange(), category="Books", period="week")
    assert [(r["cohort"], r["week"], int(r["customers"])) for r in rows] == [
        (c["cohort"], cell["week"], cell["customers"]) for c in books["cohorts"] for cell in c["cells"]]


@pytest.mark.parametrize("params, field", [
    ({"period": "day"}, "period"),
    ({"cohort": "2025-W07", "month": "2025-03"}, "month"),
    ({"cohort": "2025-02", "week": "2025-W09"}, "week"),
    ({"cohort": "2025-W09", "week": "2025-W07"}, "week"),
    ({"cohort": "2025-W54"}, "cohort"),
    ({"cohort": "2025-W07", "week": "W7"}, "week"),
])
def test_bad_weekly_parameters_are_400s_naming_the_field(analyst_client, shop, params, field):
    url = "/api/analytics/cohort_retention/" if "period" in params else "/api/analytics/cohort_customers/"
    response = analyst_client.get(url, params)
    assert response.status_code == 400 and field in response.json(), response.content
    if "period" in params:
        assert "Unknown period" in analyst_client.get("/users/cohorts/", params).content.decode()
        assert analyst_client.get("/users/cohorts/csv/", params).status_code == 400
