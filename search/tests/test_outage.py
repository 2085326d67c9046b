"""No lost update, whatever breaks: the index folder moved away, deleted, unwritable or locked by another
process, or the Elasticsearch node down. Each time the writes succeed, their updates are queued, and
once the engine is back `search_index --drain` (or a rebuild) leaves no new record missing, no edit
stale and no deleted record found."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from elasticsearch.dsl.connections import connections

from accounts.services import customer_create
from catalog.services import product_create, product_update
from feedback.services import feedback_update
from sales.services import sale_delete
from search import records, sync
from search.backends import SearchQuery
from search.models import IndexBuilt, PendingUpdate
from search.tests.osmem import PlainJsonNode

pytestmark = pytest.mark.outage


def snapshot(backend) -> dict[tuple[str, str], str]:
    """What the index holds: (type, id) → title (the small data set fits one page)."""
    hits = backend.search(SearchQuery(page_size=1000)).hits
    return {(h.type, h.id): h.title for h in hits}


def expected() -> dict[tuple[str, str], str]:
    """What the database says the index should hold."""
    return {
        (name, record_id): doc.get("title", "")
        for name in records.TYPES
        for record_id, doc in records.documents(name)
    }


def differences(backend) -> dict[str, set]:
    have, want = snapshot(backend), expected()
    return {
        "missing": set(want) - set(have),
        "stale": {k for k in want.keys() & have.keys() if want[k] != have[k]},
        "deleted_still_found": set(have) - set(want),
    }


NONE_LOST = {"missing": set(), "stale": set(), "deleted_still_found": set()}


def mixed_writes(dataset, capture) -> set[tuple[str, str]]:
    """Creates, edits (one carried by sales and feedback) and a delete, each committed; their keys."""
    with capture(execute=True):
        product = product_create(sku="SKU-900001", name="Harbour Lantern", category="Home & Kitchen",
                                 price=Decimal("30.00"))
    with capture(execute=True):
        customer = customer_create(name="Dora Lindqvist", email="dora@example.com", city="Malmo", country="SE")
    with capture(execute=True):
        product_update(product=dataset.shoes, data={"name": "Harbour Sandals"})
    with capture(execute=True):
        feedback_update(feedback=dataset.fb_espresso, data={"comment": "Bitter since the descaling"})
    gone = dataset.sale_headphones.pk
    with capture(execute=True):
        sale_delete(sale=dataset.sale_headphones)
    return {("product", str(product.pk)), ("customer", str(customer.pk)), ("product", str(dataset.shoes.pk)),
            ("feedback", str(dataset.fb_espresso.pk)), ("sale", str(gone))}


def queued() -> set[tuple[str, str]]:
    return set(PendingUpdate.objects.filter(record_type__in=records.TYPES).values_list("record_type", "record_id"))


# --- Embedded: the folder -----------------------------------------------------------------------


@pytest.fixture
def built(embedded_backend, dataset):
    embedded_backend.rebuild()
    assert differences(embedded_backend) == NONE_LOST
    return dataset


def test_a_build_is_recorded_outside_the_index_and_a_deliberate_delete_forgets_it(embedded_backend, dataset):
    assert not embedded_backend.was_built()
    embedded_backend.rebuild()
    assert IndexBuilt.objects.filter(backend="embedded").exists()
    call_command("search_index", "--delete", "-f")
    assert not embedded_backend.was_built()


def test_index_folder_moved_away_then_back(embedded_backend, built, settings, tmp_path,
                                           django_capture_on_commit_callbacks):
    away = tmp_path / "moved-away"
    os.rename(settings.SEARCH_INDEX_DIR, away)
    keys = mixed_writes(built, django_capture_on_commit_callbacks)
    assert queued() == keys
    out = _command("search_index", "--status")
    assert "missing" in out and "5 update(s) pending" in out
    os.rename(away, settings.SEARCH_INDEX_DIR)
    assert "Applied 5 of 5" in _command("search_index", "--drain")
    assert differences(embedded_backend) == NONE_LOST
    assert PendingUpdate.objects.count() == 0


def test_index_folder_deleted_then_rebuilt(embedded_backend, built, settings, django_capture_on_commit_callbacks):
    shutil.rmtree(settings.SEARCH_INDEX_DIR)
    keys = mixed_writes(built, django_capture_on_commit_callbacks)
    assert queued() == keys
    with pytest.raises(CommandError, match="built but is missing"):  # manage.py: a message, no traceback
        call_command("search_index", "--drain")
    assert queued() == keys  # a failed drain keeps every row
    call_command("search_index", "--rebuild", "-f")
    assert differences(embedded_backend) == NONE_LOST
    assert PendingUpdate.objects.count() == 0


@contextlib.contextmanager
def unwritable(path):
    """The folder refuses new files: chattr +i as root (who ignores modes), else a read-only mode."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a folder unwritable")
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)


def test_index_folder_unwritable(embedded_backend, built, django_capture_on_commit_callbacks):
    with unwritable(embedded_backend.path):
        with pytest.raises(OSError):
            (embedded_backend.path / "probe").touch()
        keys = mixed_writes(built, django_capture_on_commit_callbacks)
        assert queued() == keys
        with pytest.raises(CommandError, match="cannot be written"):  # a message, no traceback
            call_command("search_index", "--drain")
        # Still down: nothing is set aside as the records' fault.
        assert not PendingUpdate.objects.exclude(failed_reason="").exists()
    call_command("search_index", "--drain")
    assert differences(embedded_backend) == NONE_LOST
    assert PendingUpdate.objects.count() == 0


HOLD_THE_WRITER = """
import sys, tantivy
writer = tantivy.Index.open(sys.argv[1]).writer(heap_size=15_000_000, num_threads=1)
print("locked", flush=True)
sys.stdin.read()
"""


def test_index_locked_by_another_process(embedded_backend, built, django_capture_on_commit_callbacks):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITER, str(embedded_backend.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        keys = mixed_writes(built, django_capture_on_commit_callbacks)
        assert queued() == keys
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    call_command("search_index", "--drain")
    assert differences(embedded_backend) == NONE_LOST


def test_a_never_built_index_still_skips_updates(embedded_backend, dataset, django_capture_on_commit_callbacks):
    mixed_writes(dataset, django_capture_on_commit_callbacks)
    assert PendingUpdate.objects.count() == 0
    embedded_backend.rebuild()
    assert differences(embedded_backend) == NONE_LOST


def test_an_index_built_before_the_marker_existed_is_marked_by_its_first_write(
    embedded_backend, built, settings, tmp_path, django_capture_on_commit_callbacks
):
    IndexBuilt.objects.all().delete()
    embedded_backend._marked = False
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=built.thriller, data={"name": "Paperback Mystery"})
    assert embedded_backend.was_built()


# --- Elasticsearch: the node down -----------------------------------------------------------------


class Proxy:
    """A loopback TCP relay to the node: stopping it is the node going down (connections refused)
    while what the node stored survives, as a real node's disk does across a restart."""

    def __init__(self, target_url: str):
        host, port = target_url.removeprefix("http://").rstrip("/").split(":")
        self.target = (host, int(port))
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self._conns: list[socket.socket] = []
        self._listener = None

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self):
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept(); close alone would not
        self._listener.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._conns.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)


@pytest.fixture
def node(settings, osmem_clone):
    proxy = Proxy(osmem_clone.url)
    proxy.start()
    original = dict(settings.ELASTICSEARCH_DSL)
    settings.ELASTICSEARCH_DSL = {
        "default": {"hosts": proxy.url, "node_class": PlainJsonNode, "max_retries": 0, "request_timeout": 5}
    }
    settings.SEARCH_BACKEND = "elasticsearch"
    connections.configure(**settings.ELASTICSEARCH_DSL)
    yield proxy
    with contextlib.suppress(OSError):
        proxy.stop()
    connections.configure(default=original["default"])


def test_elasticsearch_node_down_then_back(node, dataset, django_capture_on_commit_callbacks):
    from search.backends import get_search_backend

    backend = get_search_backend()
    backend.rebuild()
    assert differences(backend) == NONE_LOST
    node.stop()
    keys = mixed_writes(dataset, django_capture_on_commit_callbacks)
    assert queued() == keys
    with pytest.raises(CommandError):  # manage.py prints its message, not a traceback
        call_command("search_index", "--drain")
    node.start()
    assert "Applied 5 of 5" in _command("search_index", "--drain")
    assert differences(backend) == NONE_LOST


def _command(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
