"""Settings come from the environment in one place and fail clearly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in {"MONGODB_URI", "MONGODB_NAME", "SEARCH_BACKEND", "ELASTICSEARCH_URL", "DEBUG"}}


def run_manage(*args, settings="ecommerce_analytics.settings", **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": settings, **env},
    )


def show(name, **env):
    code = f"from django.conf import settings; print(settings.{name})"
    return run_manage("shell", "--no-imports", "-c", code, **env)


def test_embedded_mode_by_default(tmp_path):
    result = show("DATABASES['default']['ENGINE'], settings.SEARCH_BACKEND", DATA_DIR=str(tmp_path))
    assert result.stdout.split() == ["django.db.backends.sqlite3", "embedded"]


def test_mongodb_uri_switches_the_orm_and_takes_the_database_name():
    result = show("DATABASES['default']['NAME'], settings.DEFAULT_AUTO_FIELD",
                  MONGODB_URI="mongodb://db.example:27017/shop")
    assert result.stdout.split() == ["shop", "django_mongodb_backend.fields.ObjectIdAutoField"]
    result = show("DATABASES['default']['NAME']", MONGODB_URI="mongodb://db.example:27017/shop",
                  MONGODB_NAME="analytics")
    assert result.stdout.strip() == "analytics"


def test_elasticsearch_url_selects_elasticsearch_search():
    result = show("SEARCH_BACKEND", ELASTICSEARCH_URL="http://127.0.0.1:9200")
    assert result.stdout.strip() == "elasticsearch"
    result = show("SEARCH_BACKEND", ELASTICSEARCH_URL="http://127.0.0.1:9200", SEARCH_BACKEND="embedded")
    assert result.stdout.strip() == "embedded"


def test_bad_values_are_a_clear_improperly_configured():
    for env, words in [
        ({"SEARCH_BACKEND": "solr"}, "SEARCH_BACKEND must be one of embedded, elasticsearch"),
        ({"SEARCH_BACKEND": "elasticsearch"}, "SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL"),
        ({"MONGODB_URI": "postgres://x"}, "MONGODB_URI is not a valid MongoDB URI"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
    ]:
        result = show("DEBUG", **env)
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and words in result.stderr, result.stderr


def test_production_needs_a_secret_key():
    result = run_manage("check", settings="ecommerce_analytics.settings.production")
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment for production" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", settings="ecommerce_analytics.settings.production",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-for-tests", ALLOWED_HOSTS="shop.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    assert show("DEBUG", DATA_DIR=str(tmp_path)).stdout.strip() == "False"
    assert show("DEBUG", DATA_DIR=str(tmp_path), DEBUG="1").stdout.strip() == "True"


def test_the_cache_is_files_in_cache_dir_for_every_worker(tmp_path):
    query = "CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION']"
    backend, location = show(query, DATA_DIR=str(tmp_path), CACHE_DIR=str(tmp_path / "c")).stdout.split()
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert Path(location) == tmp_path.resolve() / "c"


def test_the_default_cache_dir_is_in_memory_and_one_per_data_dir(tmp_path):
    query = "CACHES['default']['LOCATION']"
    first = show(query, DATA_DIR=str(tmp_path / "a")).stdout.strip()
    second = show(query, DATA_DIR=str(tmp_path / "b")).stdout.strip()
    assert first != second
    if Path("/dev/shm").is_dir():
        assert first.startswith("/dev/shm/")
    else:
        assert Path(first) == (tmp_path / "a").resolve() / "cache"
