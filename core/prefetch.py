"""Run a generator a few items ahead in a background thread.

Generating rows (seed_data) or parsing the next batch of a file (import_data) is Python work; SQLite
releases the GIL while it inserts rows, builds indexes and commits. Overlapping the two uses a second
core. The items come out in the order the generator made them, so the data stays the same.
"""

import queue
import threading
from collections.abc import Iterable, Iterator

_DONE = object()
_POLL_SECONDS = 0.1


def prefetched(items: Iterable, *, depth: int = 2, name: str = "prefetch") -> Iterator:
    """Yield ``items``, produced by a worker thread at most ``depth`` items ahead.

    An exception in the worker is re-raised here; stopping early (or failing here) stops the
    worker before returning. ``name`` names the thread.
    """
    buffer = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # handed to the consuming thread, which raises it
            put((None, exc))

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item, error = buffer.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        worker.join()
