"""The "at scale" deployment files, checked offline against the code they deploy.

Nothing here needs Docker, MongoDB, Elasticsearch or Kibana: docker-compose.yml, the Dockerfile and
docker/start.sh are parsed and compared with what the project defines (the variables the settings
read, the management commands and their options). kibana/tests checks the Kibana saved objects and
`manage.py kibana_import`.
"""

import ast
import fnmatch
import json
import re
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class
from gunicorn.config import Config as GunicornConfig
from pymongo.uri_parser import parse_uri

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
START = ROOT / "docker" / "start.sh"

ONE_SHOT = {"kibana-setup"}
# Read by the container's own tools, not by our settings.
RUNTIME_VARIABLES = {
    "DJANGO_SETTINGS_MODULE": "which settings module Django loads",
    "WEB_CONCURRENCY": "gunicorn's worker count",
}
# The index prefix kibana/saved_objects.ndjson's data views are written for (kibana_import puts
# ELASTICSEARCH_INDEX_PREFIX in its place).
NDJSON_PREFIX = "ecommerce"


# --- Loading ---------------------------------------------------------------------------------------


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def environment(name: str) -> dict[str, str]:
    env = service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` with nothing set in the environment (``${VAR:?…}`` must be set)."""

    def one(match):
        name, op, arg = match.groups()
        assert op == "-", f"${{{name}}} has no default; the stack needs it set"
        return arg

    return re.sub(r"\$\{([A-Z0-9_]+):([-?])([^}]*)\}", one, value)


def settings_variables() -> set[str]:
    """Every environment variable settings/env.py reads (its ``_env*("NAME"`` calls)."""
    source = (ROOT / "ecommerce_analytics" / "settings" / "env.py").read_text()
    names = set(re.findall(r'\b_env(?:_bool|_int)?\(\s*"([A-Z0-9_]+)"', source))
    assert {"SECRET_KEY", "MONGODB_URI", "ELASTICSEARCH_URL"} <= names, "settings/env.py no longer parses"
    return names


def settings_default(name: str) -> str:
    source = (ROOT / "ecommerce_analytics" / "settings" / "env.py").read_text()
    match = re.search(rf'\b_env\(\s*"{name}"\s*,\s*"([^"]*)"\s*\)', source)
    assert match, f"settings/env.py has no default for {name}"
    return match.group(1)


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]


def dockerfile_env() -> dict[str, str]:
    env = {}
    for instruction, args in dockerfile_instructions():
        if instruction == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(args)))
    return env


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


# --- docker-compose.yml --------------------------------------------------------------------------


def test_compose_defines_the_stack():
    assert set(compose()["services"]) == {"mongodb", "elasticsearch", "kibana", "kibana-setup", "app"}
    for name, spec in compose()["services"].items():
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith("."):
                assert source in compose()["volumes"], f"{name} mounts undeclared volume {source!r}"
            else:
                assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"


def test_long_running_services_have_healthchecks():
    for name, spec in compose()["services"].items():
        if name in ONE_SHOT:
            assert spec.get("restart") == "no", f"{name} runs once and must not be restarted"
            assert "healthcheck" not in spec
            continue
        test = spec.get("healthcheck", {}).get("test")
        assert test and test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, f"{name} has no healthcheck"


def test_services_wait_for_what_they_need_to_be_healthy():
    needs = {
        "app": {"mongodb", "elasticsearch"},
        "kibana": {"elasticsearch"},
        "kibana-setup": {"kibana"},
    }
    for name, wanted in needs.items():
        depends_on = service(name).get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions, not a list"
        for dependency in wanted:
            assert depends_on.get(dependency, {}).get("condition") == "service_healthy", (name, dependency)


def test_app_sets_only_variables_the_settings_read():
    known = settings_variables() | set(RUNTIME_VARIABLES)
    unknown = set(environment("app")) - known
    assert not unknown, f"the app container sets {sorted(unknown)}, which nothing reads"
    image_env = {k for k in dockerfile_env() if not k.startswith(("PYTHON", "PIP_"))}
    assert image_env - known == set(), f"the Dockerfile sets {sorted(image_env - known)}, which nothing reads"


def test_app_secret_key_must_come_from_the_environment():
    for name in ("app", "kibana-setup"):  # both load the production settings
        assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", environment(name)["SECRET_KEY"]), name
        with pytest.raises(AssertionError, match="needs it set"):
            interpolate(environment(name)["SECRET_KEY"])


def test_app_addresses_match_the_services():
    env = environment("app")
    mongo = parse_uri(env["MONGODB_URI"])
    assert mongo["nodelist"] == [("mongodb", 27017)]
    replica_set = mongo["options"]["replicaSet"]
    command = service("mongodb")["command"]
    assert command[command.index("--replSet") + 1] == replica_set
    initiate = " ".join(service("mongodb")["healthcheck"]["test"])
    assert f"_id: '{replica_set}'" in initiate and "host: 'mongodb:27017'" in initiate

    for url in (env["ELASTICSEARCH_URL"], environment("kibana")["ELASTICSEARCH_HOSTS"]):
        assert urlsplit(url).netloc == "elasticsearch:9200"
    assert urlsplit(environment("kibana-setup")["KIBANA_URL"]).netloc == "kibana:5601"
    # The header link is opened by a browser on the host, through kibana's published port.
    assert env["KIBANA_URL"] == "http://localhost:5601"
    assert "127.0.0.1:5601:5601" in service("kibana")["ports"]
    assert "127.0.0.1:8000:8000" in service("app")["ports"]
    hosts = env["ALLOWED_HOSTS"].split(",")
    assert {"localhost", "127.0.0.1"} <= set(hosts)  # the browser, and the app's own healthcheck
    assert "127.0.0.1:8000" in " ".join(service("app")["healthcheck"]["test"])


def test_app_and_kibana_setup_use_the_settings_index_prefix():
    app_prefix = interpolate(environment("app")["ELASTICSEARCH_INDEX_PREFIX"])
    setup_prefix = interpolate(environment("kibana-setup")["ELASTICSEARCH_INDEX_PREFIX"])
    assert app_prefix == setup_prefix == settings_default("ELASTICSEARCH_INDEX_PREFIX") == NDJSON_PREFIX


def test_elastic_images_match_the_python_client():
    import elasticsearch

    client = version(elasticsearch.__versionstr__)[:2]
    for name in ("elasticsearch", "kibana"):
        image, tag = service(name)["image"].rsplit(":", 1)
        assert image.startswith("docker.elastic.co/"), image
        assert version(tag)[:2] == client, (
            f"{name} runs {tag}; the Python client is {elasticsearch.__versionstr__}"
        )
    mongo_image, mongo_tag = service("mongodb")["image"].split(":")
    # django-mongodb-backend 5.2 needs MongoDB 6.0 or newer.
    assert mongo_image == "mongo" and version(mongo_tag)[0] >= 6


def test_elasticsearch_runs_as_one_node_with_a_bounded_heap():
    env = environment("elasticsearch")
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "false"
    assert "-Xms1g" in env["ES_JAVA_OPTS"] and "-Xmx1g" in env["ES_JAVA_OPTS"]
    # Security is off, so nothing may be published beyond this machine.
    for spec in compose()["services"].values():
        for port in spec.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), port


# --- Dockerfile, .dockerignore, docker/ -----------------------------------------------------------


def test_image_python_satisfies_the_project():
    base = next(args for instruction, args in dockerfile_instructions() if instruction == "FROM")
    match = re.fullmatch(r"python:(\d+)\.(\d+)-slim(-\w+)?", base)
    assert match, base
    required = re.search(r'requires-python = ">=(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert (int(match[1]), int(match[2])) >= (int(required[1]), int(required[2]))


def test_image_installs_every_package_the_app_imports():
    run = next(
        args for instruction, args in dockerfile_instructions() if "requirements" in args and "sed" in args
    )
    sed = re.search(r"sed ('[^']+') requirements\.txt", run)
    assert sed, run
    runtime = subprocess.run(
        ["sed", *shlex.split(sed[1]), "requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {_dist(line) for line in runtime.splitlines() if line.strip() and not line.startswith("#")}
    listed = {
        _dist(line)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    left_out = listed - installed
    assert {"django", "gunicorn", "whitenoise", "django-mongodb-backend", "elasticsearch"} <= installed
    assert "pytest" in left_out

    owners = metadata.packages_distributions()
    imported = set()
    for path in _app_sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    needed = {_dist(dist) for module in imported for dist in owners.get(module, [])}
    assert not needed & left_out, f"the app imports {sorted(needed & left_out)}, which the image leaves out"


def _dist(requirement: str) -> str:
    return re.split(r"[=<>~!\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _app_sources():
    skip = {".venv", ".venv-secantus", "tests", "tools", "bench", "node_modules", "static", ".git"}
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if not parts & skip and path.name != "conftest.py" and not path.name.startswith("test_"):
            yield path


def test_image_command_is_the_start_script():
    cmd = next(args for instruction, args in dockerfile_instructions() if instruction == "CMD")
    assert json.loads(cmd) == ["/bin/sh", "/app/docker/start.sh"]
    env = dockerfile_env()
    assert env["DJANGO_SETTINGS_MODULE"] == "ecommerce_analytics.settings.production"
    assert int(env["WEB_CONCURRENCY"]) in range(2, 5)
    result = subprocess.run(["sh", "-n", str(START)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_start_script_commands_exist_and_take_their_options():
    commands = get_commands()
    lines = [
        shlex.split(line)
        for line in START.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    manage = [line[2:] for line in lines if line[:2] == ["python", "manage.py"]]
    assert [args[0] for args in manage] == ["migrate", "seed_data", "search_index", "collectstatic"]
    for name, *args in manage:
        assert name in commands, f"start.sh runs `manage.py {name}`, which no installed app provides"
        parser = load_command_class(commands[name], name).create_parser("manage.py", name)
        parser.parse_args(args)  # a CommandError names an option the command does not take

    gunicorn = next(line for line in lines if "gunicorn" in line)
    assert gunicorn[:2] == ["exec", "gunicorn"]
    parsed = GunicornConfig().parser().parse_args(gunicorn[2:])  # exits (SystemExit) on an unknown option
    (app,) = parsed.args
    module, attr = app.split(":")
    assert f"{module}.{attr}" == settings.WSGI_APPLICATION
    assert parsed.bind == ["0.0.0.0:8000"]
    assert parsed.config == "gunicorn.conf.py" and (ROOT / parsed.config).is_file()  # the image's WORKDIR is the app


def test_dockerignore_keeps_local_state_out_and_the_app_in():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.removeprefix("**/")) for p in patterns)

    for path in (".git", ".venv", ".env", "var"):
        assert ignored(path), f"{path} would be copied into the image"
    needed = {
        "manage.py",
        "requirements.txt",
        "docker",
        "templates",
        "static",
        "mongo_migrations",
        "ecommerce_analytics",
        "accounts",
        "catalog",
        "sales",
        "feedback",
        "search",
        "kibana",  # an installed app, and the saved objects kibana-setup imports
    }
    assert not {p for p in needed if ignored(p)}


def test_compose_settings_are_production_served_over_plain_http():
    env = {
        "SECRET_KEY": "compose-check-" + "k" * 50,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "ecommerce_analytics.settings.production",
        "SECURE_HTTPS": "0",
        "PATH": "/usr/bin:/bin",
    }
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    code = (
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER,"
        " s.STORAGES['staticfiles']['BACKEND'])"
    )
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.split() == [
        "False",
        "False",
        "False",
        "False",
        "None",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ], shown.stderr
    without_key = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in env.items() if k != "SECRET_KEY"},
        timeout=120,
    )
    assert without_key.returncode != 0 and "Set SECRET_KEY" in without_key.stderr


# --- kibana/ and the kibana-setup service ---------------------------------------------------------
# kibana/tests checks saved_objects.ndjson against the search documents, and kibana_import.


def test_kibana_setup_runs_kibana_import_from_the_app_image():
    setup, app = service("kibana-setup"), service("app")
    # Built like the app (so `docker compose up` never tries to pull the local image).
    assert setup["image"] == app["image"] and setup["build"] == app["build"] == "."
    command = setup["command"]
    assert command[:3] == ["python", "manage.py", "kibana_import"]
    commands = get_commands()
    assert commands.get("kibana_import") == "kibana", "the kibana app provides kibana_import"
    parser = load_command_class("kibana", "kibana_import").create_parser("manage.py", "kibana_import")
    options = parser.parse_args(command[3:])  # a CommandError names an option the command does not take
    assert options.overwrite is True, "a restarted stack re-imports over the objects imported before"
    assert options.url is None, "the address comes from KIBANA_URL"
    unknown = set(environment("kibana-setup")) - settings_variables()
    assert not unknown, f"kibana-setup sets {sorted(unknown)}, which nothing reads"
    assert not (ROOT / "kibana" / "import.sh").exists()


def test_kibana_readme_names_the_kibana_version_of_the_stack():
    tag = service("kibana")["image"].rsplit(":", 1)[1]
    major_minor = ".".join(tag.split(".")[:2])
    assert f"Kibana {major_minor}" in (ROOT / "kibana" / "README.md").read_text()


def test_each_gunicorn_worker_freezes_the_loaded_app():
    """gunicorn.conf.py's post_worker_init hook, run as gunicorn runs it once a worker has loaded the app:
    afterwards the views are imported and the collector's permanent generation holds them."""
    script = (
        "import gc, runpy, sys, django; django.setup();"
        "hook = runpy.run_path('gunicorn.conf.py')['post_worker_init'];"
        "before = gc.get_freeze_count(); loaded = 'pages.views' in sys.modules;"
        "hook(None);"
        "print(before, gc.get_freeze_count(), loaded, 'pages.views' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after, loaded_before, loaded_after = result.stdout.split()
    assert (before, loaded_before) == ("0", "False")
    assert int(after) > 10_000 and loaded_after == "True"


def test_make_run_serves_through_gunicorn_with_debug_off(tmp_path):
    """The server line of `make run` (read with `make -n`), started on a free port over an empty
    migrated DATA_DIR: gunicorn answers, and a missing page is the plain 404, not Django's debug page."""
    recipe = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (line,) = [line for line in recipe.replace("\\\n", " ").splitlines() if "gunicorn -c" in line]
    args = shlex.split(line)
    assert args[0].endswith("/gunicorn") and args[1:3] == ["-c", "gunicorn.conf.py"]
    assert "DEBUG" not in line
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    args[args.index("--workers") + 1] = "1"
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "MONGODB_URI", "DJANGO_SETTINGS_MODULE")}
    env["DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5) as response:
                    status, headers, body = response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                status, headers, body = error.code, error.headers, error.read()
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
                time.sleep(0.3)
                continue
            break
        assert status == 404
        assert headers["Server"] == "gunicorn"
        assert b"URLconf" not in body and b"DEBUG = True" not in body  # the debug page names both
    finally:
        server.terminate()
        server.wait(timeout=30)
