"""Posts kibana/saved_objects.ndjson to Kibana's saved objects import API (standard library only).

    POST {url}[/s/{space}]/api/saved_objects/_import[?overwrite=true]
    kbn-xsrf: true
    multipart/form-data, one part "file" whose filename ends in .ndjson

The data views in the file read the default index prefix (``ecommerce-sales`` …); ``with_index_prefix``
puts ELASTICSEARCH_INDEX_PREFIX in its place in their titles and names and leaves every other line as
it is. ``outcome`` turns Kibana's answer (``success``, ``successCount``, ``successResults``, ``errors``)
into one line per object.
"""

import base64
import http.client
import json
import re
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit, urlunsplit
from urllib.request import Request, urlopen

DEFAULT_FILE = Path(__file__).resolve().parent / "saved_objects.ndjson"
FILE_PREFIX = "ecommerce"  # the index prefix the file's data views are written for
TIMEOUT_SECONDS = 120
# Elasticsearch index names: lowercase, and not starting with - or _ (or +).
INDEX_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Kibana space ids: lowercase letters, digits, _ and -.
SPACE_ID = re.compile(r"[a-z0-9_-]+")


class KibanaImportError(Exception):
    """Why the import could not be done or was refused, in one line."""


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    failed: int = 0


# --- The file --------------------------------------------------------------------------------------


def read_objects(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise KibanaImportError(f"Cannot read {path}: {exc.strerror or exc}") from None


def with_index_prefix(text: str, prefix: str) -> str:
    """``text`` with each data view's index name (``ecommerce-…`` in its title and name) under ``prefix``."""
    if not INDEX_PREFIX.fullmatch(prefix):
        raise KibanaImportError(
            f"ELASTICSEARCH_INDEX_PREFIX must be lowercase letters, digits, _ or - (got {prefix!r})."
        )
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KibanaImportError(f"Line {number + 1} of the saved objects is not JSON: {exc.msg}.") from None
        if prefix == FILE_PREFIX or not isinstance(obj, dict) or obj.get("type") != "index-pattern":
            continue
        attributes = obj.get("attributes") or {}
        old = attributes.get("title", "")
        if not old.startswith(f"{FILE_PREFIX}-"):
            continue
        new = prefix + old.removeprefix(FILE_PREFIX)
        attributes["title"] = new
        if isinstance(attributes.get("name"), str):
            attributes["name"] = attributes["name"].replace(old, new)
        ending = line[len(line.rstrip("\r\n")):]
        lines[number] = json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + ending
    return "".join(lines)


def count_objects(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


# --- The request -----------------------------------------------------------------------------------


def import_url(base: str, *, space: str | None = None, overwrite: bool = False) -> str:
    parts = urlsplit(base)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise KibanaImportError(f"The Kibana URL must start with http:// or https:// (got {shown(base)!r}).")
    path = parts.path.rstrip("/")
    if space:
        if not SPACE_ID.fullmatch(space):
            raise KibanaImportError(f"A Kibana space id is lowercase letters, digits, _ or - (got {space!r}).")
        path += f"/s/{quote(space)}"
    path += "/api/saved_objects/_import"
    return urlunsplit((parts.scheme, parts.netloc, path, "overwrite=true" if overwrite else "", ""))


def shown(url: str) -> str:
    """``url`` without a user or password in it, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with one file part named ``file``, and its Content-Type."""
    boundary = f"----kibana-import-{secrets.token_hex(16)}"
    filename = filename.replace('"', "").replace("\r", "").replace("\n", "")
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/ndjson\r\n"
        "\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(url: str, body: bytes, content_type: str, *, timeout: float = TIMEOUT_SECONDS) -> dict:
    """POST ``body``; Kibana's JSON answer, or KibanaImportError saying why there is none."""
    headers = {"kbn-xsrf": "true", "Content-Type": content_type, "Accept": "application/json"}
    parts = urlsplit(url)
    if parts.username is not None:
        credentials = f"{parts.username}:{parts.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        url = shown(url)
    request = Request(url, data=body, headers=headers, method="POST")
    where = shown(url).split("/api/", 1)[0]
    try:
        with urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except HTTPError as exc:
        raise KibanaImportError(f"Kibana at {where} answered {exc.code} {exc.reason}: {error_message(exc)}") from None
    except URLError as exc:
        raise KibanaImportError(f"Cannot reach Kibana at {where}: {exc.reason}.") from None
    except (TimeoutError, socket.timeout):
        raise KibanaImportError(f"Kibana at {where} did not answer within {timeout:g} s.") from None
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        raise KibanaImportError(f"Cannot reach Kibana at {where}: {exc}.") from None
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise KibanaImportError(f"Kibana at {where} answered something other than a JSON object: {snippet(raw)}")
    return answer


def error_message(exc: HTTPError) -> str:
    """Kibana's ``message`` from an error answer (``{"statusCode", "error", "message"}``), else its text."""
    try:
        raw = exc.read()
    except OSError:
        raw = b""
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if isinstance(answer, dict) and answer.get("message"):
        return one_line(str(answer["message"]))
    return snippet(raw) or "(no message)"


def one_line(text: str) -> str:
    return " ".join(text.split())


def snippet(raw: bytes, limit: int = 200) -> str:
    text = one_line(raw.decode("utf-8", "replace"))
    return text if len(text) <= limit else text[:limit] + "…"


# --- The answer ------------------------------------------------------------------------------------


def outcome(answer: dict, *, expected: int) -> Outcome:
    """One line per object from Kibana's answer: created, updated (overwritten) or failed, and why."""
    result = Outcome()
    for item in answer.get("successResults") or []:
        action = "updated" if item.get("overwrite") else "created"
        if action == "updated":
            result.updated += 1
        else:
            result.created += 1
        result.lines.append(row(action, item))
    for item in answer.get("errors") or []:
        result.failed += 1
        result.lines.append(f"{row('failed', item)}: {error_reason(item.get('error') or {})}")
    for warning in answer.get("warnings") or []:
        result.lines.append(f"warning  {one_line(str(warning.get('message', warning)))}")
    if not answer.get("successResults") and answer.get("success") and answer.get("successCount"):
        # An older Kibana reports only the count.
        result.created = int(answer["successCount"])
        result.lines.append(f"imported {result.created} objects")
    unaccounted = expected - result.created - result.updated - result.failed
    if answer.get("success") is not True and unaccounted > 0:
        result.failed += unaccounted
        result.lines.append(f"failed   {unaccounted} objects Kibana gave no result for")
    return result


def row(action: str, item: dict) -> str:
    title = (item.get("meta") or {}).get("title") or item.get("title") or ""
    line = f"{action:<8} {item.get('type', '?'):<14} {item.get('id', '?')}"
    if item.get("destinationId") and item["destinationId"] != item.get("id"):
        line += f" (as {item['destinationId']})"
    return f"{line}  {title}".rstrip()


def error_reason(error: dict) -> str:
    kind = error.get("type", "unknown")
    if kind == "conflict":
        return "conflict: an object with this id is already there (run with --overwrite to replace it)"
    if kind == "ambiguous_conflict":
        return "ambiguous_conflict: several objects in Kibana match it"
    if kind == "missing_references":
        missing = ", ".join(f"{ref.get('type')} {ref.get('id')}" for ref in error.get("references") or [])
        return f"missing_references: {missing or 'objects it refers to are missing'}"
    if kind == "unsupported_type":
        return "unsupported_type: this Kibana does not know the object type"
    detail = error.get("message") or error.get("error") or ""
    status = error.get("statusCode")
    return one_line(f"{kind}: {status or ''} {detail}").rstrip(": ")


# --- All of it -------------------------------------------------------------------------------------


def run(*, url: str, space: str | None, overwrite: bool, path: Path, prefix: str,
        timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """Import the file; the outcome per object. KibanaImportError when Kibana is not reached or refuses."""
    text = with_index_prefix(read_objects(path), prefix)
    expected = count_objects(text)
    if not expected:
        raise KibanaImportError(f"{path} holds no saved objects.")
    name = Path(path).name if Path(path).name.endswith(".ndjson") else f"{Path(path).name}.ndjson"
    body, content_type = multipart(name, text.encode("utf-8"))
    answer = post(import_url(url, space=space, overwrite=overwrite), body, content_type, timeout=timeout)
    return outcome(answer, expected=expected)
