"""The Import page (staff only): upload a file, see the row report of a dry run, confirm, follow progress.

The check and the import run in a background thread of the web process (``run_job``) so a long
file never holds a request; the job's state lives in a small JSON file under
``DATA_DIR/imports/jobs/`` so any worker process of the same machine can show it (the status page
refreshes itself). A thread rather than a separate worker process: nothing more to deploy or keep
running for what staff do now and then; a restart of the server abandons a running job (its
transaction is rolled back, so nothing half-imported stays). ``IMPORTS_RUN_INLINE = True`` (the
tests) runs the job inside the request instead.
"""

import functools
import io
import json
import re
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connections
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import can_write
from imports.engine import KINDS

STAFF_ONLY = "Only staff may import data."
TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_REPORT_LINES = 200


def staff_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_write(request.user):
            raise PermissionDenied(STAFF_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


def _jobs_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports" / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load(token: str) -> dict:
    if not TOKEN.match(token):
        raise Http404
    try:
        return json.loads((_jobs_dir() / f"{token}.json").read_text())
    except (OSError, ValueError):
        raise Http404 from None


def _save(job: dict) -> None:
    path = _jobs_dir() / f"{job['token']}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(job))
    temporary.replace(path)  # readers never see half a file


def run_job(token: str, *, dry_run: bool) -> None:
    """Run import_data on the job's upload (a check first, then for real) and record the outcome."""
    job = _load(token)
    job.update(state="checking" if dry_run else "importing", rows=0, report=[], summary="")
    _save(job)

    def progress(rows):
        job["rows"] = rows
        _save(job)

    def step(name, message):  # the lifetime-value fit after the import: "fitting", then its outcome
        if name == "fitting":
            job["state"] = "fitting"
        job["value_fit"] = message
        _save(job)

    out, err = io.StringIO(), io.StringIO()
    options = {"dry_run": dry_run, "skip_invalid": job["skip_invalid"], "stdout": out, "stderr": err}
    try:
        call_command("import_data", job["kind"], job["path"], progress_callback=progress, step_callback=step,
                     **options)
        ok = True
    except CommandError as exc:
        ok, err = False, io.StringIO(err.getvalue() + f"\n{exc}")
    except Exception as exc:  # the page must say what happened rather than spin forever
        ok, err = False, io.StringIO(err.getvalue() + f"\n{exc!r}")
    finally:
        if not settings.IMPORTS_RUN_INLINE:
            connections.close_all()
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    job.update(
        summary=out.getvalue().strip(),
        report=lines[:MAX_REPORT_LINES],
        ok=ok,
        state=("checked" if ok else "refused") if dry_run else ("done" if ok else "failed"),
    )
    _save(job)


def _start(token: str, *, dry_run: bool) -> None:
    if settings.IMPORTS_RUN_INLINE:
        run_job(token, dry_run=dry_run)
    else:
        threading.Thread(target=run_job, args=(token,), kwargs={"dry_run": dry_run}, daemon=True).start()


@staff_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    error = None
    if request.method == "POST":
        kind, upload = request.POST.get("kind"), request.FILES.get("file")
        if kind not in KINDS:
            error = "Choose what the file holds."
        elif upload is None:
            error = "Choose a file."
        else:
            token = uuid.uuid4().hex
            name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.name).name)[-80:] or "upload.csv"
            uploads = Path(settings.DATA_DIR) / "imports" / "uploads"
            uploads.mkdir(parents=True, exist_ok=True)
            path = uploads / f"{token}-{name}"
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            _save({
                "token": token, "kind": kind, "path": str(path), "name": upload.name,
                "skip_invalid": bool(request.POST.get("skip_invalid")), "state": "queued", "rows": 0,
                "report": [], "summary": "", "user": request.user.get_username(),
            })
            _start(token, dry_run=True)
            return redirect("imports:import-status", token=token)
    return render(request, "imports/import.html", {"kinds": list(KINDS), "error": error})


@staff_required
def import_status(request, token: str):
    job = _load(token)
    running = job["state"] in ("queued", "checking", "importing", "fitting")
    return render(request, "imports/status.html", {"job": job, "running": running})


@staff_required
@require_POST
def import_confirm(request, token: str):
    job = _load(token)
    if job["state"] != "checked":
        raise Http404
    _start(token, dry_run=False)
    return redirect("imports:import-status", token=token)
