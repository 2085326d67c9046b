"""The shared backend contract on the embedded (tantivy) backend."""

import contextlib
import shutil

import pytest
import tantivy

from search.tests.contract import BackendContract


class TestEmbeddedBackend(BackendContract):
    @pytest.fixture
    def backend(self, embedded_backend):
        return embedded_backend

    @pytest.fixture
    def outage(self, backend):
        @contextlib.contextmanager
        def down(*, reads=False):
            if reads:
                # An index that is gone cannot be read.
                shutil.rmtree(backend.path)
                yield
                return
            # Another process's writer (a rebuild) holds the index lock.
            other = tantivy.Index.open(str(backend.path)).writer(heap_size=15_000_000, num_threads=1)
            try:
                yield
            finally:
                other.rollback()
                del other

        return down
