"""The backend is chosen from the environment, with a clear error for a bad value."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.backends import get_search_backend


def _resolve(**env) -> subprocess.CompletedProcess:
    code = "from ecommerce_analytics.settings import search; print(search.SEARCH_BACKEND)"
    clean = {k: v for k, v in os.environ.items() if k not in ("SEARCH_BACKEND", "ELASTICSEARCH_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "embedded"),
        ({"ELASTICSEARCH_URL": "http://es:9200"}, "elasticsearch"),
        ({"ELASTICSEARCH_URL": "http://es:9200", "SEARCH_BACKEND": "embedded"}, "embedded"),
        ({"SEARCH_BACKEND": "Elasticsearch", "ELASTICSEARCH_URL": "http://es:9200"}, "elasticsearch"),
    ],
)
def test_backend_from_environment(env, expected):
    result = _resolve(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SEARCH_BACKEND": "solr"}, "SEARCH_BACKEND must be one of embedded, elasticsearch; got 'solr'"),
        ({"SEARCH_BACKEND": "elasticsearch"}, "SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL"),
    ],
)
def test_bad_backend_is_improperly_configured(env, message):
    result = _resolve(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_get_search_backend_rejects_unknown_names():
    with pytest.raises(ImproperlyConfigured, match="Unknown search backend 'solr'"):
        get_search_backend("solr")


def test_base_class_says_what_it_cannot_do():
    from search.backends import BaseSearchBackend, SearchQuery

    with pytest.raises(NotImplementedError):
        BaseSearchBackend().search(SearchQuery(text="x"))


def test_search_app_wins_the_command_name():
    apps = settings.INSTALLED_APPS
    assert apps.index("search") < apps.index("django_elasticsearch_dsl")
    from django.core.management import get_commands

    assert get_commands()["search_index"] == "search"
