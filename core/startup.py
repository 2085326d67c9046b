"""What a web worker does once the app is loaded, before its first request.

It loads the URL configuration (every view and what they import), then moves every object there is
into the garbage collector's permanent generation (``gc.freeze``). A figure such as the all-time
weekly cohort matrix allocates tens of thousands of dicts; each full collection that this triggers
walked every long-lived object of Django, the apps and numpy again, which added 60-100 ms to one call
in three (measured at the large seed, bench/customers.py). Frozen objects are never walked: only what
is made after start, which is what can become garbage. What is frozen is never freed; it is the code
and settings a worker keeps for its whole life anyway.

gunicorn.conf.py calls it in every worker (``post_worker_init``); the benches call it as a worker
does, so they time figures as a worker serves them.
"""

import gc

from django.urls import get_resolver


def freeze_loaded() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()  # what start-up left as garbage goes before the rest is frozen
    gc.freeze()
