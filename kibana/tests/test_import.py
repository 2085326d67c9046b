"""``manage.py kibana_import`` against a stand-in Kibana on 127.0.0.1 (a thread, port 0)."""

import email.parser
import email.policy
import http.server
import json
import socket
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kibana import importer

ROOT = Path(__file__).resolve().parents[2]
NDJSON = ROOT / "kibana" / "saved_objects.ndjson"
LINES = NDJSON.read_text().splitlines()
OBJECTS = [json.loads(line) for line in LINES]
DATA_VIEW_TITLES = {obj["id"]: obj["attributes"]["title"] for obj in OBJECTS if obj["type"] == "index-pattern"}


class FakeKibana(http.server.BaseHTTPRequestHandler):
    """Records each request and answers with ``answer`` (status, JSON or bytes)."""

    received: list
    answer: tuple

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"method": "POST", "path": self.path, "headers": self.headers, "body": body})
        self._reply(*self.answer)

    def do_GET(self):
        self.received.append({"method": "GET", "path": self.path, "headers": self.headers, "body": b""})
        self._reply(405, {"statusCode": 405, "error": "Method Not Allowed", "message": "POST only"})

    def _reply(self, status, payload):
        data = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def success(overwritten=()):
    """Kibana's answer when every object imported; ``overwritten`` ids were there before."""
    return {
        "success": True,
        "successCount": len(OBJECTS),
        "successResults": [
            {
                "type": obj["type"],
                "id": obj["id"],
                "meta": {"title": obj["attributes"]["title"], "icon": "app"},
                **({"overwrite": True} if obj["id"] in overwritten else {}),
            }
            for obj in OBJECTS
        ],
        "warnings": [],
    }


class Kibana:
    def __init__(self):
        self.received = []
        self.handler = type("Handler", (FakeKibana,), {"received": self.received, "answer": (200, success())})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answers(self, status, payload):
        self.handler.answer = (status, payload)

    def only_request(self) -> dict:
        (request,) = self.received
        return request


@pytest.fixture
def kibana():
    fake = Kibana()
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return port  # nothing listens there now: connections are refused


def run(*args, **options) -> str:
    out = StringIO()
    call_command("kibana_import", *args, stdout=out, **options)
    return out.getvalue()


def file_part(request) -> tuple[str, bytes]:
    """The multipart body's one part: its filename and content (checks it is field ``file``)."""
    content_type = request["headers"]["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"]
    )
    assert message.is_multipart()
    (part,) = list(message.iter_parts())
    assert part.get_content_disposition() == "form-data"
    assert part.get_param("name", header="content-disposition") == "file"
    return part.get_filename(), part.get_payload(decode=True)


# --- The request -----------------------------------------------------------------------------------


def test_posts_the_file_to_the_import_api_with_the_xsrf_header(kibana, settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "ecommerce"
    run(url=kibana.url)
    request = kibana.only_request()
    assert request["method"] == "POST"
    assert request["path"] == "/api/saved_objects/_import"
    assert request["headers"]["kbn-xsrf"] == "true"
    assert "Authorization" not in request["headers"]
    filename, content = file_part(request)
    assert filename == "saved_objects.ndjson"
    # The default prefix: the file goes as it is.
    assert content == NDJSON.read_bytes()


def test_space_and_overwrite_go_in_the_path_and_query(kibana):
    run(url=kibana.url + "/", space="marketing", overwrite=True)
    assert kibana.only_request()["path"] == "/s/marketing/api/saved_objects/_import?overwrite=true"


def test_a_kibana_base_path_is_kept(kibana):
    run(url=kibana.url + "/kibana", overwrite=True)
    assert kibana.only_request()["path"] == "/kibana/api/saved_objects/_import?overwrite=true"


def test_the_kibana_url_setting_is_the_default(kibana, settings):
    settings.KIBANA_URL = kibana.url
    run(space="team_1")
    assert kibana.only_request()["path"] == "/s/team_1/api/saved_objects/_import"


def test_without_an_address_it_says_what_to_set(settings):
    settings.KIBANA_URL = ""
    with pytest.raises(CommandError, match="set KIBANA_URL or pass --url"):
        run()


def test_the_data_views_read_the_settings_index_prefix(kibana, settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "shop"
    run(url=kibana.url)
    _, content = file_part(kibana.only_request())
    sent = content.decode().splitlines()
    assert len(sent) == len(LINES)
    for line, original in zip(sent, LINES, strict=True):
        obj, before = json.loads(line), json.loads(original)
        if obj["type"] != "index-pattern":
            assert line == original, obj["id"]  # everything but the data views goes as it is
            continue
        index = before["attributes"]["title"]
        renamed = "shop-" + index.removeprefix("ecommerce-")
        assert obj["attributes"]["title"] == renamed
        assert obj["attributes"]["name"] == before["attributes"]["name"].replace(index, renamed)
        assert "ecommerce-" not in obj["attributes"]["name"]
        before["attributes"].update(title=obj["attributes"]["title"], name=obj["attributes"]["name"])
        assert obj == before, "only the title and name change"
    titles = {o["attributes"]["title"] for o in map(json.loads, sent) if o["type"] == "index-pattern"}
    assert titles == {"shop-" + t.removeprefix("ecommerce-") for t in DATA_VIEW_TITLES.values()}


def test_another_file_is_sent_under_an_ndjson_name(kibana, tmp_path):
    other = tmp_path / "objects.json"
    other.write_text(LINES[0] + "\n")
    kibana.answers(200, {"success": True, "successCount": 1, "successResults": [
        {"type": "index-pattern", "id": OBJECTS[0]["id"], "meta": {"title": "x"}}]})
    assert "1 created, 0 updated" in run(url=kibana.url, file=str(other))
    filename, content = file_part(kibana.only_request())
    assert filename == "objects.json.ndjson"
    assert content == other.read_bytes()


def test_credentials_in_the_url_become_basic_auth_and_stay_out_of_messages(kibana):
    url = kibana.url.replace("http://", "http://elastic:s3cret@")
    out = run(url=url)
    assert kibana.only_request()["headers"]["Authorization"] == "Basic ZWxhc3RpYzpzM2NyZXQ="
    assert "s3cret" not in out and kibana.url in out


def test_a_bad_prefix_or_space_is_refused_before_anything_is_sent(kibana, settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "Shop Data"
    with pytest.raises(CommandError, match="ELASTICSEARCH_INDEX_PREFIX must be"):
        run(url=kibana.url)
    settings.ELASTICSEARCH_INDEX_PREFIX = "ecommerce"
    with pytest.raises(CommandError, match="space id"):
        run(url=kibana.url, space="../x")
    assert kibana.received == []


# --- What it prints --------------------------------------------------------------------------------


def test_prints_what_was_created_and_what_was_updated(kibana):
    overwritten = {OBJECTS[0]["id"], "ecommerce-analytics-dashboard"}
    kibana.answers(200, success(overwritten))
    out = run(url=kibana.url, overwrite=True).splitlines()
    assert len(out) == len(OBJECTS) + 1
    for obj, line in zip(OBJECTS, out, strict=False):
        action = "updated" if obj["id"] in overwritten else "created"
        assert line.split()[:3] == [action, obj["type"], obj["id"]]
        assert line.endswith(obj["attributes"]["title"])
    assert out[-1] == (
        f"Imported {len(OBJECTS)} saved objects into Kibana at {kibana.url}: "
        f"{len(OBJECTS) - 2} created, 2 updated."
    )


def test_object_errors_are_listed_and_fail_the_command(kibana):
    errors = [
        {"type": "lens", "id": "ecommerce-analytics-lens-revenue", "meta": {"title": "Revenue"},
         "error": {"type": "conflict"}},
        {"type": "map", "id": "ecommerce-analytics-map-customers", "meta": {"title": "Customer locations"},
         "error": {"type": "missing_references",
                   "references": [{"type": "index-pattern", "id": "ecommerce-analytics-customers"}]}},
        {"type": "lens", "id": "ecommerce-analytics-lens-orders", "title": "Orders",
         "error": {"type": "unsupported_type"}},
    ]
    answer = success()
    failed = {e["id"] for e in errors}
    answer.update(
        success=False,
        successCount=len(OBJECTS) - 3,
        successResults=[r for r in answer["successResults"] if r["id"] not in failed],
        errors=errors,
    )
    kibana.answers(200, answer)
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("kibana_import", url=kibana.url, stdout=out)
    assert str(raised.value) == f"Kibana at {kibana.url} did not import 3 of {len(OBJECTS)} saved objects (see above)."
    lines = out.getvalue().splitlines()
    assert sum(line.startswith("created") for line in lines) == len(OBJECTS) - 3
    failures = [line for line in lines if line.startswith("failed")]
    assert failures == [
        "failed   lens           ecommerce-analytics-lens-revenue  Revenue: conflict: an object with this id is"
        " already there (run with --overwrite to replace it)",
        "failed   map            ecommerce-analytics-map-customers  Customer locations: missing_references:"
        " index-pattern ecommerce-analytics-customers",
        "failed   lens           ecommerce-analytics-lens-orders  Orders: unsupported_type: this Kibana does not"
        " know the object type",
    ]


def test_success_false_without_per_object_errors_still_fails(kibana):
    kibana.answers(200, {"success": False, "successCount": 0, "errors": []})
    with pytest.raises(CommandError, match=f"did not import {len(OBJECTS)} of {len(OBJECTS)}"):
        run(url=kibana.url)


# --- When Kibana cannot be reached or refuses ------------------------------------------------------


def test_connection_refused(closed_port):
    with pytest.raises(CommandError, match=rf"^Cannot reach Kibana at http://127.0.0.1:{closed_port}: .*refused"):
        run(url=f"http://127.0.0.1:{closed_port}")


def test_a_400_shows_the_status_and_kibanas_message(kibana):
    kibana.answers(400, {"statusCode": 400, "error": "Bad Request", "message": "Invalid file extension .txt"})
    with pytest.raises(CommandError) as raised:
        run(url=kibana.url)
    assert str(raised.value) == f"Kibana at {kibana.url} answered 400 Bad Request: Invalid file extension .txt"


def test_a_500_shows_the_status_and_kibanas_message(kibana):
    kibana.answers(500, {"statusCode": 500, "error": "Internal Server Error",
                         "message": "An internal server error occurred."})
    with pytest.raises(CommandError, match=r"answered 500 Internal Server Error: An internal server error occurred\."):
        run(url=kibana.url)


def test_an_answer_that_is_not_json_is_an_error(kibana):
    kibana.answers(200, b"<html>Kibana server is not ready yet</html>")
    with pytest.raises(CommandError, match="other than a JSON object: <html>Kibana server is not ready yet"):
        run(url=kibana.url)


@pytest.mark.parametrize("failure", ["unreachable", "500", "object errors"])
def test_the_command_exits_non_zero_with_one_line_and_no_traceback(failure, kibana, closed_port):
    url = kibana.url
    if failure == "unreachable":
        url = f"http://127.0.0.1:{closed_port}"
    elif failure == "500":
        kibana.answers(500, {"statusCode": 500, "error": "Internal Server Error", "message": "boom"})
    else:
        kibana.answers(200, {"success": False, "successCount": 0, "errors": [
            {"type": "dashboard", "id": "ecommerce-analytics-dashboard", "error": {"type": "conflict"}}]})
    result = subprocess.run(
        [sys.executable, "manage.py", "kibana_import", "--url", url, "--overwrite"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("CommandError: ")


def test_the_app_imports_no_other_app_of_the_project():
    first_party = {"accounts", "catalog", "sales", "feedback", "search", "ecommerce_analytics", "bench", "tests"}
    for path in (ROOT / "kibana").rglob("*.py"):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1:
                assert words[1].split(".")[0] not in first_party, f"{path.name}: {line.strip()}"
    assert importer.DEFAULT_FILE == NDJSON
