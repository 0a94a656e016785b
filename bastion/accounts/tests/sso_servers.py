"""Real identity services for the single sign-on tests, started on this machine: Debian's slapd
(OpenLDAP) with a throw-away configuration, and the certified ``oidc-provider`` (npm) run by
``oidc_provider.mjs``. Nothing here mocks a client library. Under CI a missing server fails the
tests; on a laptop without it they are skipped with the command that installs it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
NODE = shutil.which("node") or "node"
OIDC_PROVIDER_SCRIPT = HERE / "oidc_provider.mjs"
OIDC_PROVIDER_PACKAGE = REPO / "node_modules" / "oidc-provider"
STARTUP_SECONDS = 20


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: under CI the single sign-on tests must run, never skip.")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not listen on {port} in {STARTUP_SECONDS}s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- LDAP ---------------------------------------------------------------------------------------

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
"""


class Directory:
    """One slapd on a free loopback port, its database and configuration in ``folder``."""

    suffix = "dc=bastion,dc=test"
    people = "ou=people,dc=bastion,dc=test"
    root_dn = "cn=admin,dc=bastion,dc=test"
    root_password = "directory-admin"

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        (folder / "data").mkdir(parents=True)
        conf = folder / "slapd.conf"
        conf.write_text(
            SLAPD_CONF.format(
                folder=folder,
                suffix=self.suffix,
                root_dn=self.root_dn,
                root_password=self.root_password,
            )
        )
        log = folder / "slapd.log"
        # -d keeps slapd in the foreground, so the test owns the process and stops it.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", f"{self.url}/", "-d", "0"],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process, log)
        self._add(self.suffix, objectClass=["dcObject", "organization"], dc="bastion", o="堡垒")
        self._add(self.people, objectClass=["organizationalUnit"], ou="people")

    def add_person(self, uid: str, password: str, employee_no: str | None = None, **extra) -> str:
        """A directory entry that signs in as ``uid``; its employeeNumber is the 工号."""
        dn = f"uid={uid},{self.people}"
        attrs = {
            "objectClass": ["inetOrgPerson"],
            "uid": uid,
            "cn": uid,
            "sn": uid,
            "userPassword": password,
            **extra,
        }
        if employee_no is not None:
            attrs["employeeNumber"] = employee_no
        self._add(dn, **attrs)
        return dn

    def environ(self, **extra) -> dict[str, str]:
        """The environment an operator would set for this directory."""
        return {
            "BASTION_LDAP_URL": self.url,
            "BASTION_LDAP_BIND_DN": self.root_dn,
            "BASTION_LDAP_BIND_PASSWORD": self.root_password,
            "BASTION_LDAP_USER_SEARCH_BASE": self.people,
            "BASTION_LDAP_USER_FILTER": "(uid=%(user)s)",
            **extra,
        }

    def _add(self, dn: str, **attrs) -> None:
        import ldap
        from ldap.modlist import addModlist

        values = {
            name: [v.encode() for v in (value if isinstance(value, list) else [value])]
            for name, value in attrs.items()
        }
        connection = ldap.initialize(self.url)
        try:
            connection.simple_bind_s(self.root_dn, self.root_password)
            connection.add_s(dn, addModlist(values))
        finally:
            connection.unbind_s()

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    if not Path(SLAPD).exists():
        missing("slapd not found (apt-get install slapd ldap-utils)")
    server = Directory(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


# --- OpenID Connect -----------------------------------------------------------------------------

OIDC_CLIENT_ID = "bastion"
OIDC_CLIENT_SECRET = "bastion-test-secret-0123456789abcdef"
# Django's test client calls itself "testserver": the provider sends the browser back there.
OIDC_REDIRECT_URI = "http://testserver/oidc/callback/"


class Provider:
    """``oidc_provider.mjs`` on a free loopback port: any login name signs in, and the name is
    also the account's 工号 claim (``employee_number``), except names starting ``no-employee``."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        log = folder / "oidc-provider.log"
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT_ID": OIDC_CLIENT_ID,
            "OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
            "OIDC_REDIRECT_URI": OIDC_REDIRECT_URI,
        }
        self.process = subprocess.Popen(
            [NODE, str(OIDC_PROVIDER_SCRIPT)],
            cwd=REPO,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process, log)
        self.discovery = self._discovery()

    def _discovery(self) -> dict:
        import requests

        response = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        return response.json()

    def environ(self, **extra) -> dict[str, str]:
        """The environment an operator would set, read off the discovery document."""
        return {
            "BASTION_OIDC_CLIENT_ID": OIDC_CLIENT_ID,
            "BASTION_OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
            "BASTION_OIDC_AUTHORIZATION_ENDPOINT": self.discovery["authorization_endpoint"],
            "BASTION_OIDC_TOKEN_ENDPOINT": self.discovery["token_endpoint"],
            "BASTION_OIDC_USERINFO_ENDPOINT": self.discovery["userinfo_endpoint"],
            "BASTION_OIDC_JWKS_ENDPOINT": self.discovery["jwks_uri"],
            **extra,
        }

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    if not Path(NODE).exists() and shutil.which("node") is None:
        missing("node not found")
    if not OIDC_PROVIDER_PACKAGE.exists():
        missing("node_modules/oidc-provider not found (make install)")
    server = Provider(tmp_path_factory.mktemp("oidc"))
    yield server
    server.stop()


class Forms(HTMLParser):
    """The forms of a page: action, method and the named inputs with their values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag in {"input", "button"} and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def only_form(html: str) -> dict:
    parser = Forms()
    parser.feed(html)
    assert len(parser.forms) >= 1, html[:2000]
    return parser.forms[0]


def sign_in_at_provider(client, login: str, *, max_steps: int = 12):
    """Play the browser: start at Bastion's 统一身份认证登录, follow the redirects between Bastion
    (Django's test client) and the provider (``requests``), fill the provider's login and
    consent forms, and return Bastion's answer to the provider's redirect back."""
    import requests

    browser = requests.Session()
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302, response.status_code
    url = response["Location"]
    for _step in range(max_steps):
        if urlsplit(url).netloc == "testserver":
            callback = urlsplit(url)
            return client.get(f"{callback.path}?{callback.query}")
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.is_redirect:
            url = urljoin(url, answer.headers["Location"])
            continue
        assert answer.status_code == 200, (answer.status_code, answer.text[:2000])
        form = only_form(answer.text)
        fields = dict(form["fields"])
        if "login" in fields or "password" in fields:
            fields.update({"login": login, "password": "any"})
        posted = browser.post(
            urljoin(url, form["action"]), data=fields, allow_redirects=False, timeout=10
        )
        assert posted.is_redirect, (posted.status_code, posted.text[:2000])
        url = urljoin(url, posted.headers["Location"])
    raise AssertionError(f"no redirect back to Bastion after {max_steps} steps")
