"""`manage.py search_index`: argument handling and errors (the actions themselves run in the contract)."""

import pytest
from django.core.management import CommandError, call_command

from search.management.commands.search_index import ABORTED, NO_ACTION


def test_no_action_is_an_error(db):
    with pytest.raises(CommandError, match=NO_ACTION):
        call_command("search_index")


def test_unknown_model_is_an_error_and_writes_nothing(embedded_backend, db):
    with pytest.raises(CommandError, match="No indexed model or app named 'catalog.Widget'"):
        call_command("search_index", "--rebuild", "--models", "catalog.Widget")
    assert not embedded_backend.exists()


def test_delete_asks_first(embedded_backend, db, monkeypatch):
    embedded_backend.create()
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match=ABORTED):
        call_command("search_index", "--delete")
    assert embedded_backend.exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    call_command("search_index", "--delete")
    assert not embedded_backend.exists()


def test_models_accepts_apps_and_models(embedded_backend, dataset, capsys):
    call_command("search_index", "--rebuild", "--models", "sales", "catalog.product", "-f")
    out = capsys.readouterr().out
    assert "Rebuilt the embedded search index: 4 products, 3 sales." in out


def test_status_and_drain(embedded_backend, dataset, capsys):
    call_command("search_index", "--status")
    assert "is missing; 0 update(s) pending" in capsys.readouterr().out
    call_command("search_index", "--rebuild", "--parallel")
    call_command("search_index", "--status")
    assert "exists" in capsys.readouterr().out
    call_command("search_index", "--drain")
    assert "Applied 0 of 0 pending update(s)." in capsys.readouterr().out


def test_engine_error_is_a_command_error(osmem_backend, settings, db):
    from elasticsearch.dsl.connections import connections

    connections.configure(default={**settings.ELASTICSEARCH_DSL["default"], "hosts": "http://127.0.0.1:9"})
    with pytest.raises(CommandError, match="elasticsearch: Elasticsearch cannot be reached"):
        call_command("search_index", "--rebuild", "-f")


def test_backend_option_overrides_settings(osmem_backend, dataset, capsys):
    call_command("search_index", "--rebuild", "--backend", "embedded")
    assert "Rebuilt the embedded search index" in capsys.readouterr().out
    assert not osmem_backend.exists()
