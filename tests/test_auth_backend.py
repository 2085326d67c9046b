"""core.auth.GroupsBackend: the request's user read with their group names in one query, and what the
read check (core.permissions.can_read) decides from them, on both backends."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.groups import ANALYSTS

pytestmark = pytest.mark.django_db


def reads_of(captured, table: str) -> list[str]:
    # SQLite's SQL names the table in quotes; MongoDB's logged commands as db.<collection>.
    return [q["sql"] for q in captured.captured_queries if f'"{table}"' in q["sql"] or f"db.{table}." in q["sql"]]


def test_a_page_reads_the_user_and_their_groups_once(analyst_client):
    with CaptureQueriesContext(connection) as captured:
        assert analyst_client.get("/sales/").status_code == 200
    users = reads_of(captured, "auth_user")
    assert len(users) == 1
    # no read of the groups of its own: any that names them is the user's read, joined
    assert all(sql in users for sql in reads_of(captured, "auth_group")), reads_of(captured, "auth_group")


def test_leaving_the_analysts_group_closes_the_pages_at_the_next_request(analyst_client, analyst_user):
    assert analyst_client.get("/sales/").status_code == 200
    analyst_user.groups.remove(Group.objects.get(name=ANALYSTS))
    assert analyst_client.get("/sales/").status_code == 403
    analyst_user.groups.add(Group.objects.get(name=ANALYSTS))
    assert analyst_client.get("/sales/").status_code == 200


def test_a_user_in_other_groups_only_is_refused_and_one_in_several_is_read_once(client):
    user = User.objects.create_user("many", password="pw-Long-enough-1")
    for name in ("buyers", "writers"):
        user.groups.add(Group.objects.create(name=name))
    client.force_login(user)
    assert client.get("/sales/").status_code == 403
    user.groups.add(Group.objects.get(name=ANALYSTS))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/sales/").status_code == 200
    assert len(reads_of(captured, "auth_user")) == 1  # three groups: three joined rows, one query


def test_an_inactive_user_is_signed_out(analyst_client, analyst_user):
    analyst_user.is_active = False
    analyst_user.save()
    response = analyst_client.get("/sales/")
    assert response.status_code == 302 and "/login" in response["Location"]
