"""How the site is served (`make run`): DEBUG off unless asked for, Chinese error pages that give
nothing away, no file under MEDIA_URL, gunicorn sized to the machine, collectable static files."""

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.template import loader
from django.test import Client
from django.urls import path, reverse

from bastion.core.testing import login

ROOT = Path(settings.BASE_DIR)
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
# What Django's technical 404 page shows with DEBUG on: the URL patterns it tried.
DEBUG_PAGE_MARKERS = ("Using the URLconf", "urlpatterns", "bastion.urls", "Django tried these")


def _boom(request):
    raise RuntimeError("a bug in a view")


# A URL conf of its own for the 500 test; Django's default handler500 renders templates/500.html,
# as it does under bastion.urls (which sets no handler500).
urlpatterns = [path("boom/", _boom)]


def _settings_in_subprocess(expression: str, **env: str) -> str:
    """Evaluate ``expression`` against bastion.settings in a fresh interpreter, with DEBUG,
    SECRET_KEY and the deployment variables removed from the environment unless given."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS"}
        and not key.startswith("BASTION_")
    }
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'bastion.settings'; "
        "from django.conf import settings; "
        f"print({expression})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


# --- DEBUG and static files -------------------------------------------------------------------


def test_debug_is_off_when_the_environment_does_not_ask_for_it():
    assert _settings_in_subprocess("settings.DEBUG") == "False"


def test_debug_is_on_when_the_environment_asks_for_it():
    assert _settings_in_subprocess("settings.DEBUG", DEBUG="1") == "True"


def test_served_static_files_carry_their_hash_and_come_compressed():
    backend = _settings_in_subprocess("settings.STORAGES['staticfiles']['BACKEND']")
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Without DEBUG the files come from collectstatic's STATIC_ROOT, never from the source tree.
    assert _settings_in_subprocess("settings.WHITENOISE_USE_FINDERS") == "False"


def _source_map_references():
    for found_path, storage in finders.get_finder(
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ).list([]):
        if not found_path.endswith((".css", ".js")):
            continue
        text = storage.open(found_path).read().decode("utf-8", errors="replace")
        for reference in re.findall(r"sourceMappingURL=([^\s*]+)", text):
            if not reference.startswith("data:"):
                yield found_path, reference


def test_every_source_map_our_assets_name_is_there_for_collectstatic():
    """The hashed storage follows each sourceMappingURL and stops collectstatic (so `make run`)
    on one that points at nothing: scripts/copy-assets.mjs copies the maps the files name."""
    references = list(_source_map_references())
    assert references, "static_build/ should hold Tabler's minified files (make install)"
    for found_path, reference in references:
        target = os.path.normpath(os.path.join(os.path.dirname(found_path), reference))
        assert finders.find(target), f"{found_path} names {reference}, which is not copied"


# --- error pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_page_is_the_chinese_404_without_the_url_list(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    for marker in DEBUG_PAGE_MARKERS:
        assert marker not in body


def test_a_signed_in_user_gets_the_404_inside_the_site_frame(client, personas):
    login(client, personas.secretary_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "返回工作台" in body
    assert "Using the URLconf" not in body


@pytest.mark.django_db
def test_a_missing_api_path_still_answers_json(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crashing_view_gives_the_chinese_500_page_without_a_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统暂时出错了" in body
    assert "Traceback" not in body
    assert "a bug in a view" not in body


def _no_database(execute, sql, params, many, context):
    raise AssertionError(f"an error page queried the database: {sql}")


@pytest.mark.parametrize(
    "template,text",
    [("500.html", "系统暂时出错了"), ("400.html", "请求无效"), ("403_csrf.html", "页面已过期")],
)
def test_error_pages_render_without_context_or_database(template, text):
    """Django renders these with an empty context and no request: a 500 may come from a
    database that is down, so the page must not need it (nor the static manifest)."""
    with connection.execute_wrapper(_no_database):
        body = loader.get_template(template).render()
    assert text in body
    assert "{%" not in body
    assert "/static/" not in body


def test_a_form_posted_without_its_csrf_token_gets_the_chinese_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


# --- uploads are never files of the web server -----------------------------------------------


@pytest.mark.django_db
def test_nothing_is_served_under_media_url(client, personas):
    url = f"{settings.MEDIA_URL}evidence/2026/minutes.pdf"
    assert client.get(url).status_code == 404
    login(client, personas.company)
    response = client.get(url)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


# --- gunicorn ---------------------------------------------------------------------------------


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY", "GUNICORN_BIND", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_workers_follow_the_machine(monkeypatch):
    conf = _gunicorn_settings(monkeypatch)
    assert conf["default_workers"](1) == 3
    assert conf["default_workers"](2) == 5
    assert conf["default_workers"](64) == conf["MAX_DEFAULT_WORKERS"]
    assert conf["workers"] == conf["default_workers"](len(os.sched_getaffinity(0)))


def test_gunicorn_workers_and_address_come_from_the_environment(monkeypatch):
    conf = _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", PORT="9001")
    assert conf["workers"] == 3
    assert conf["bind"] == "127.0.0.1:9001"
    conf = _gunicorn_settings(
        monkeypatch, GUNICORN_WORKERS="2", WEB_CONCURRENCY="7", GUNICORN_BIND="10.0.0.5:8000"
    )
    assert conf["workers"] == 2  # the specific name wins over the platform's
    assert conf["bind"] == "10.0.0.5:8000"


def test_gunicorn_logs_to_the_terminal_and_serves_bastion(monkeypatch):
    conf = _gunicorn_settings(monkeypatch)
    assert conf["accesslog"] == "-"
    assert conf["errorlog"] == "-"
    assert conf["wsgi_app"] == "bastion.wsgi:application"
    assert conf["control_socket_disable"] is True  # two servers on one machine would collide
