"""Repeated failed logins lock the username from that address (django-axes): the pages' /login/,
the admin login and the API's session login count alike; `manage.py axes_reset` unlocks."""

import pytest
from django.core.management import call_command

from ecommerce_analytics.lockout import LOCKED_OUT

LOGINS = ["/login/", "/admin/login/", "/api/auth/login/"]


# The admin signs in staff only.
USERS = {"/admin/login/": ("sam", "staff-pass-123")}


def who(url):
    return USERS.get(url, ("ana", "analyst-pass-123"))


def fail(client, url, username=None, times=1, address="127.0.0.1"):
    username = username or who(url)[0]
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
    return response


def sign_in(client, url, address="127.0.0.1"):
    username, password = who(url)
    return client.post(url, {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", LOGINS)
def test_five_failures_lock_the_user_from_that_address(client, analyst_user, staff_user, url):
    assert fail(client, url, times=4).status_code == 200
    locked = fail(client, url)
    assert locked.status_code == 429
    assert LOCKED_OUT in locked.content.decode()
    # The right password no longer helps from here...
    response = sign_in(client, url)
    assert response.status_code == 429 and LOCKED_OUT in response.content.decode()
    # ...but the same user from another address, and another user from here, are not locked.
    assert sign_in(client, url, address="10.0.0.7").status_code == 302
    client.logout()
    assert fail(client, url, username="someone-else").status_code == 200


def test_failures_on_every_login_form_count_together(client, analyst_user):
    fail(client, "/login/", username="ana", times=2)
    fail(client, "/admin/login/", username="ana", times=2)
    assert fail(client, "/api/auth/login/", username="ana").status_code == 429


def test_the_lockout_shows_on_the_sign_in_page(client, analyst_user):
    response = fail(client, "/login/", times=5)
    page = response.content.decode()
    assert '<form method="post" action="/login/"' in page
    assert f'<div class="alert" role="alert"><p style="margin:0">{LOCKED_OUT}</p></div>' in page


def test_a_success_resets_the_count(client, analyst_user):
    fail(client, "/login/", times=4)
    assert sign_in(client, "/login/").status_code == 302
    client.logout()
    assert fail(client, "/login/", times=4).status_code == 200


def test_axes_reset_unlocks(client, analyst_user):
    fail(client, "/login/", times=5)
    assert sign_in(client, "/login/").status_code == 429
    call_command("axes_reset")
    assert sign_in(client, "/login/").status_code == 302


def test_authenticate_without_a_request_still_works_and_is_not_counted(analyst_user):
    from axes.models import AccessAttempt
    from django.contrib.auth import authenticate

    assert authenticate(username="ana", password="analyst-pass-123") == analyst_user
    assert authenticate(username="ana", password="wrong") is None
    assert not AccessAttempt.objects.exists()
