"""gunicorn's settings wherever the app is served: `make run`, the Docker image (docker/start.sh),
bench/load.sh. gunicorn reads this file from the working directory on its own; command lines add
only the address and, where they choose, the worker count.

Threaded workers with keep-alive: a client (a browser, a script paging through the API, a proxy)
keeps its connection for the next request instead of a TCP connect and a new accept per request,
which the sync worker (no keep-alive at all) makes it pay. Threads also let one worker answer
cached requests while another thread waits on the database or a socket; the work itself is Python
and shares the worker's GIL, so workers (processes, one per core or two) give the parallelism.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # gunicorn's own variable (the Dockerfile sets it)
worker_class = "gthread"
threads = 4
keepalive = 5  # seconds an idle connection stays open for its next request
# Each worker listens on its own socket (SO_REUSEPORT), so the kernel spreads new connections over the
# workers evenly. On one shared socket, whichever worker was polling took them: with keep-alive a
# burst of 32 connections stayed mostly on one worker, which ran at 100% of a core while the other
# idled at 20-60% (measured with ps during bench/load.sh; its throughput moved 0.13-0.69x the bare
# view between runs). The price: connections queued on a worker that dies are reset (the master
# starts a new one at once).
reuse_port = True


def post_worker_init(worker):
    """The app is loaded: freeze what it loaded (core.startup), so collections walk only what requests make."""
    from core.startup import freeze_loaded

    freeze_loaded()
