"""What docs/deploy.md installs: the environment file passes `check --deploy`, the dev key is
refused on a server others reach (and still serves `make run`), HTTPS behind nginx, media on
S3-compatible storage (moto's server standing in), the systemd units, the files the guide names."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from subprocess import STDOUT

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.test import override_settings

from bastion.core import deploy_settings
from bastion.core.deploy_settings import apply_deploy_settings, https_settings, s3_storage

ROOT = Path(__file__).resolve().parents[3]
ENV_EXAMPLE = ROOT / "deploy" / "bastion.env.example"
SYSTEMD = ROOT / "deploy" / "systemd"
GUIDE = ROOT / "docs" / "deploy.md"
DEPLOY_VARIABLES = re.compile(r"^(BASTION_|SECURE_|GUNICORN_)")


def env_file(path: Path = ENV_EXAMPLE, *, commented: bool = False) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (``commented``: also the
    optional ``#KEY=VALUE`` lines)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if commented:
            line = line.removeprefix("#")
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            values[match[1]] = match[2]
    return values


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not DEPLOY_VARIABLES.match(k)}
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process (Playwright's loop);
    # no server has it, and check --deploy rightly refuses it.
    for name in (
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "MEDIA_ROOT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- check --deploy with the documented environment --------------------------------------------


@pytest.mark.xdist_group("deploy_subprocess")
def test_check_deploy_is_clean_with_the_documented_environment():
    env = {**env_file(), "SECRET_KEY": secrets.token_urlsafe(50)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.xdist_group("deploy_subprocess")
def test_the_example_copied_unedited_refuses_to_start():
    result = manage("check", env=env_file())  # SECRET_KEY left empty
    assert result.returncode != 0
    assert "拒绝启动" in result.stderr and "SECRET_KEY" in result.stderr


@pytest.mark.xdist_group("deploy_subprocess")
def test_make_run_on_this_machine_starts_with_debug_off_and_the_dev_key():
    result = manage("check", env={"DEBUG": "0"})  # ALLOWED_HOSTS: the local default
    assert result.returncode == 0, result.stderr


# --- the rule for the development key ----------------------------------------------------------


def settings_for(**values):
    return {
        "DEBUG": False,
        "SECRET_KEY": "dev-only-insecure-key-change-me-in-production",
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "testserver"],
        "STORAGES": {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}},
        **values,
    }


@pytest.fixture
def no_deploy_environment(monkeypatch):
    for name in list(os.environ):
        if DEPLOY_VARIABLES.match(name):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("no_deploy_environment")
@pytest.mark.parametrize(
    "values",
    [
        {},  # make run
        {"ALLOWED_HOSTS": ["127.0.0.1", "[::1]"]},
        {"DEBUG": True, "ALLOWED_HOSTS": ["bastion.example.com"]},  # a developer's own choice
        {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": ["bastion.example.com"]},
    ],
)
def test_the_dev_key_is_accepted_where_only_this_machine_is_served(values):
    apply_deploy_settings(settings_for(**values))


@pytest.mark.usefixtures("no_deploy_environment")
@pytest.mark.parametrize(
    "hosts", [["bastion.example.com"], ["*"], ["127.0.0.1", "10.0.0.11"], [".example.com"]]
)
def test_the_dev_key_is_refused_when_others_can_reach_the_server(hosts):
    with pytest.raises(ImproperlyConfigured, match="拒绝启动"):
        apply_deploy_settings(settings_for(ALLOWED_HOSTS=hosts))


@pytest.mark.parametrize("key", ["", "django-insecure-abc", "dev-only-insecure-key-change-me"])
def test_https_with_a_published_key_is_refused_even_on_local_names(monkeypatch, key):
    monkeypatch.setenv("BASTION_HTTPS", "1")
    with pytest.raises(ImproperlyConfigured):
        apply_deploy_settings(settings_for(SECRET_KEY=key))


def test_a_number_that_is_not_one_is_named(monkeypatch):
    monkeypatch.setenv("BASTION_HSTS_SECONDS", "a year")
    monkeypatch.setenv("BASTION_HTTPS", "1")
    with pytest.raises(ImproperlyConfigured, match="BASTION_HSTS_SECONDS"):
        https_settings({})


# --- HTTPS behind nginx --------------------------------------------------------------------------


@pytest.fixture
def https(monkeypatch, no_deploy_environment):
    monkeypatch.setenv("BASTION_HTTPS", "1")
    values: dict = {}
    https_settings(values)
    with override_settings(**values):
        yield values


def test_https_settings(https):
    assert https["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert https["SECURE_SSL_REDIRECT"] and https["SESSION_COOKIE_SECURE"]
    assert https["CSRF_COOKIE_SECURE"] and https["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and https["SECURE_HSTS_PRELOAD"]


def test_plain_http_is_redirected_except_the_probes(https, client, db):
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code == 200  # monitors ask gunicorn directly
    assert client.get("/readyz").status_code in {200, 503}


def test_nginx_https_is_trusted_and_answered_with_hsts(https, client, db):
    response = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert "Secure" in response.cookies["csrftoken"].output()


# --- media on S3-compatible object storage -----------------------------------------------------


@pytest.fixture
def s3_bucket(monkeypatch, no_deploy_environment):
    """moto's S3 server on a free local port, a private bucket, the settings pointing at it."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for name, value in {
        "BASTION_S3_BUCKET": "bastion-media",
        "BASTION_S3_ENDPOINT_URL": endpoint,
        "BASTION_S3_ACCESS_KEY_ID": "bastion",
        "BASTION_S3_SECRET_ACCESS_KEY": "not-a-secret",
        "BASTION_S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="bastion",
        aws_secret_access_key="not-a-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="bastion-media")
    settings: dict = {"STORAGES": {"staticfiles": {"BACKEND": "x"}}}
    deploy_settings.media_settings(settings)
    with override_settings(STORAGES=settings["STORAGES"]):
        yield client
    server.stop()


def test_without_a_bucket_media_stays_on_the_shared_path(no_deploy_environment):
    assert s3_storage() is None
    settings = {"STORAGES": {"default": {"BACKEND": "fs"}}}
    deploy_settings.media_settings(settings)
    assert settings["STORAGES"]["default"] == {"BACKEND": "fs"}


def test_evidence_round_trip_through_s3(s3_bucket, db):
    from django.core.files.storage import default_storage

    from bastion.core.evidence import file_response
    from bastion.core.models import ImportJob

    assert default_storage.__class__.__name__ == "S3Storage"  # LazyObject answers for it
    pdf = b"%PDF-1.4\n% evidence\n" + os.urandom(2048)
    name = default_storage.save("problems/7/整改照片.pdf", ContentFile(pdf))
    assert name.startswith("problems/7/")
    stored = s3_bucket.get_object(Bucket="bastion-media", Key=f"media/{name}")["Body"].read()
    assert stored == pdf  # under the prefix, in the bucket
    second = default_storage.save("problems/7/整改照片.pdf", ContentFile(b"other"))
    assert second != name  # never overwritten, as on a file system
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == pdf

    # A model's file field, served by the one scoped download response (open(), never .path).
    job = ImportJob(kind="test", original_name="名单.xlsx")
    job.file.save("roster.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=False)
    response = file_response(job.file, "名单.xlsx")
    assert b"".join(response.streaming_content) == b"PK\x03\x04 workbook"
    assert "attachment" in response["Content-Disposition"]
    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_the_bucket_is_private_by_default(no_deploy_environment, monkeypatch):
    monkeypatch.setenv("BASTION_S3_BUCKET", "b")
    monkeypatch.setenv("BASTION_S3_VERIFY", "/etc/ssl/certs/internal-ca.pem")
    options = s3_storage()["OPTIONS"]
    assert options["default_acl"] is None and options["querystring_auth"]
    assert not options["file_overwrite"] and options["addressing_style"] == "path"
    assert options["verify"] == "/etc/ssl/certs/internal-ca.pem"


# --- the files the guide installs --------------------------------------------------------------


def test_every_variable_of_the_environment_file_is_read_somewhere():
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*ROOT.glob("bastion/**/*.py"), ROOT / "deploy" / "gunicorn.conf.py"]
        if "tests" not in p.parts
    )
    read_by_libraries = {"DATABASE_URL"}  # dj_database_url.config()
    for name in set(env_file(commented=True)) - read_by_libraries:
        assert f'"{name}"' in sources, f"{name} in bastion.env.example is read by nothing"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd (Debian 12 has it)")
def test_systemd_units_verify(tmp_path):
    """systemd's own checker on the units, with /opt/bastion pointing at this checkout."""
    env = tmp_path / "bastion.env"
    env.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for unit in SYSTEMD.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/opt/bastion", str(ROOT))
        (tmp_path / unit.name).write_text(text.replace("/etc/bastion/bastion.env", str(env)))
    units = sorted(str(p) for p in tmp_path.iterdir() if p.suffix in {".service", ".timer"})
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_units_run_commands_that_exist():
    from django.core.management import get_commands

    commands = get_commands()
    for unit in SYSTEMD.glob("*.service"):
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart=") and "manage.py" in line:
                command = line.split("manage.py", 1)[1].split()[0]
                assert command in commands, f"{unit.name}: manage.py {command}"
    gunicorn = (SYSTEMD / "bastion-web.service").read_text(encoding="utf-8")
    assert "-c /opt/bastion/deploy/gunicorn.conf.py" in gunicorn


def test_every_file_the_guide_names_exists():
    text = GUIDE.read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w/.])((?:deploy|docs|scripts|bench|bastion)/[\w./-]+\w)", text))
    named |= {f"docs/{link}" for link in re.findall(r"\]\(([\w.-]+\.md)\)", text)}
    assert {"deploy/bastion.env.example", "docs/backup.md"} <= named
    missing = [n for n in sorted(named) if not (ROOT / n).exists()]
    assert not missing, missing


# --- the units' own commands, with the documented environment, on this machine ----------------


def unit_command(unit: str) -> list[str]:
    line = next(
        line
        for line in (SYSTEMD / unit).read_text(encoding="utf-8").splitlines()
        if line.startswith("ExecStart=")
    )
    return shlex.split(line.removeprefix("ExecStart=").replace("/opt/bastion", str(ROOT)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def probe(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_for(condition, seconds: float, what: str, processes) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, f"{process.args[:3]} exited while waiting for {what}"
        try:
            if condition():
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.5)
    raise AssertionError(f"no {what} within {seconds} s")


@pytest.mark.xdist_group("deploy_subprocess")
def test_web_and_worker_units_serve_a_ready_site(tmp_path):
    """bastion-web's gunicorn and bastion-worker's `manage.py worker`, started from the units'
    ExecStart lines with bastion.env.example (a real key, a scratch database): /healthz and
    /readyz answer, HTTP is redirected, HTTPS through nginx's header gets HSTS, and a worker
    stopping takes the site out of readiness."""
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not DEPLOY_VARIABLES.match(k)}
    inherited.pop("DJANGO_SETTINGS_MODULE", None)  # the test settings'; the file names its own
    env = {
        **inherited,
        **env_file(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bastion.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "BASTION_WORKER_HEARTBEAT_SECONDS": "1",
        "BASTION_READY_WORKER_MAX_AGE": "30",
        "PYTHONUNBUFFERED": "1",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrate.returncode == 0, migrate.stderr
    logs = [open(tmp_path / name, "w") for name in ("web.log", "worker.log")]  # noqa: SIM115
    web = worker = None
    try:
        web = subprocess.Popen(
            unit_command("bastion-web.service"), cwd=ROOT, env=env, stdout=logs[0], stderr=STDOUT
        )
        worker = subprocess.Popen(
            unit_command("bastion-worker.service"), cwd=ROOT, env=env, stdout=logs[1], stderr=STDOUT
        )
        wait_for(lambda: probe(port, "/readyz")[0] == 200, 120, "ready site", [web, worker])
        assert json.loads(probe(port, "/readyz")[2])["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "worker": "ok",
        }
        assert probe(port, "/healthz")[0] == 200
        status, headers, _body = probe(port, "/accounts/login/")
        assert status == 301 and headers["Location"].startswith("https://")
        _status, headers, _body = probe(port, "/healthz", **{"X-Forwarded-Proto": "https"})
        assert "includeSubDomains" in headers["Strict-Transport-Security"]

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        status, _headers, body = probe(port, "/readyz")
        assert status == 503 and json.loads(body)["checks"]["worker"] == "none"
    finally:
        for process in (web, worker):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        for log in logs:
            log.close()
