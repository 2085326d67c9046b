"""A server error is a plain page for the visitor; the traceback goes to the log, never the browser."""

import logging

import pytest
from django.urls import path


def broken(request):
    raise RuntimeError("kaboom in a view")


urlpatterns = [path("broken/", broken)]


@pytest.mark.urls(__name__)
def test_a_500_is_a_plain_page_and_the_traceback_is_logged(client, caplog, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "kaboom" not in body and "Traceback" not in body
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info and "kaboom in a view" in str(record.exc_info[1])
