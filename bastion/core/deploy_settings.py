"""Production settings read from the environment: TLS behind nginx, shared media, probes.

``bastion/settings.py`` calls ``apply_deploy_settings(globals())`` near its end, once DEBUG,
SECRET_KEY, ALLOWED_HOSTS and STORAGES are known. Every variable is optional: without any of them
a developer's laptop and ``make run`` behave as before. ``deploy/bastion.env.example`` lists them
with the values ``docs/deploy.md`` installs, and ``manage.py check --deploy`` is clean with it.

This module is imported by the settings, before Django's apps load: it reads ``os.environ`` only
and imports nothing of the project.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Keys that ship in the source: anyone can read them, so they sign nothing on a real server.
DEV_SECRET_KEYS = frozenset({"", "dev-only-insecure-key-change-me-in-production"})
INSECURE_KEY_PREFIXES = ("django-insecure-", "dev-only-")
# Host names that only this machine can reach: serving them with the dev key risks nobody else.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "testserver"})
# Probes come from monitors and load balancers on plain HTTP to the app server itself.
PROBE_PATHS = [r"^healthz$", r"^readyz$"]
ONE_YEAR = 365 * 24 * 3600


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，当前为 {value!r}。") from exc


def is_dev_secret_key(key: str) -> bool:
    return key in DEV_SECRET_KEYS or key.startswith(INSECURE_KEY_PREFIXES)


def public_hosts(allowed_hosts: list[str]) -> list[str]:
    """The names in ALLOWED_HOSTS that other machines can reach (``*`` included)."""
    return [h for h in (h.strip().lower() for h in allowed_hosts) if h and h not in LOCAL_HOSTS]


def refuse_dev_secret_key(settings: dict[str, Any]) -> None:
    """Refuse to start a server that others reach while signing sessions with the published key.

    The rule: DEBUG off, and either HTTPS on (BASTION_HTTPS) or ALLOWED_HOSTS naming any host
    other than the local ones. ``make run`` (127.0.0.1, DEBUG off, the dev key) and the tests
    (``testserver``) still start; a server named in ALLOWED_HOSTS for the intranet does not.
    """
    if settings.get("DEBUG") or not is_dev_secret_key(settings.get("SECRET_KEY", "")):
        return
    exposed = public_hosts(settings.get("ALLOWED_HOSTS", []))
    if settings.get("BASTION_HTTPS") or exposed:
        where = "、".join(exposed) or "HTTPS"
        raise ImproperlyConfigured(
            f"拒绝启动：DEBUG 已关闭且服务对外（{where}），但 SECRET_KEY 仍是源码中的开发密钥。"
            "请在环境文件中设置 SECRET_KEY 为随机字符串（至少 50 个字符），"
            "例如 python3 -c 'import secrets; print(secrets.token_urlsafe(50))'。"
            "详见 docs/deploy.md。"
        )


def https_settings(settings: dict[str, Any]) -> None:
    """TLS ends at nginx, which sets X-Forwarded-Proto; Django trusts it and marks cookies
    secure, redirects plain HTTP and sends HSTS. Only nginx may reach gunicorn (docs/deploy.md),
    otherwise a client could claim HTTPS by sending the header itself."""
    settings["BASTION_HTTPS"] = _bool("BASTION_HTTPS", False)
    if not settings["BASTION_HTTPS"]:
        return
    settings["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    settings["SECURE_SSL_REDIRECT"] = _bool("BASTION_SSL_REDIRECT", True)
    settings["SECURE_REDIRECT_EXEMPT"] = PROBE_PATHS
    settings["SESSION_COOKIE_SECURE"] = True
    settings["CSRF_COOKIE_SECURE"] = True
    settings["SECURE_HSTS_SECONDS"] = _int("BASTION_HSTS_SECONDS", ONE_YEAR)
    # An intranet name is on no browser's preload list: the directive alone changes nothing
    # until someone submits the domain, and it keeps `check --deploy` clean.
    settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = _bool("BASTION_HSTS_INCLUDE_SUBDOMAINS", True)
    settings["SECURE_HSTS_PRELOAD"] = _bool("BASTION_HSTS_PRELOAD", True)


def s3_storage() -> dict[str, Any] | None:
    """The ``default`` storage on S3-compatible object storage (MinIO, Ceph, a cloud's), or None
    when BASTION_S3_BUCKET is unset. The bucket stays private: every download goes through a
    scoped view that opens the file, so no object URL is ever handed out."""
    bucket = os.environ.get("BASTION_S3_BUCKET", "").strip()
    if not bucket:
        return None
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": os.environ.get("BASTION_S3_PREFIX", "media").strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        # Like the file system: a second upload of the same name gets a new name.
        "file_overwrite": False,
        # MinIO and Ceph answer on one host name, without a DNS name per bucket.
        "addressing_style": os.environ.get("BASTION_S3_ADDRESSING_STYLE", "path"),
    }
    for option, variable in (
        ("endpoint_url", "BASTION_S3_ENDPOINT_URL"),
        ("access_key", "BASTION_S3_ACCESS_KEY_ID"),
        ("secret_key", "BASTION_S3_SECRET_ACCESS_KEY"),
        ("region_name", "BASTION_S3_REGION"),
    ):
        if os.environ.get(variable):
            options[option] = os.environ[variable]
    verify = os.environ.get("BASTION_S3_VERIFY", "").strip()
    if verify:  # a CA bundle's path for an internal CA, or "false" for a test endpoint
        options["verify"] = False if verify.lower() in {"0", "false", "no", "off"} else verify
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def media_settings(settings: dict[str, Any]) -> None:
    """Uploads (evidence, bulletins, import files) must be seen by every app server and worker:
    MEDIA_ROOT on a shared path (NFS), or an S3-compatible bucket."""
    storage = s3_storage()
    if storage is not None:
        settings["STORAGES"] = {**settings.get("STORAGES", {}), "default": storage}


def probe_settings(settings: dict[str, Any]) -> None:
    """The worker writes a heartbeat this often; /readyz wants one younger than the max age
    (0: do not ask about workers); rows of workers gone this long are deleted."""
    settings["BASTION_WORKER_HEARTBEAT_SECONDS"] = _int("BASTION_WORKER_HEARTBEAT_SECONDS", 15)
    settings["BASTION_READY_WORKER_MAX_AGE"] = _int("BASTION_READY_WORKER_MAX_AGE", 120)
    settings["BASTION_WORKER_HEARTBEAT_KEEP_SECONDS"] = _int(
        "BASTION_WORKER_HEARTBEAT_KEEP_SECONDS", 24 * 3600
    )


def apply_deploy_settings(settings: dict[str, Any]) -> None:
    https_settings(settings)
    media_settings(settings)
    probe_settings(settings)
    refuse_dev_secret_key(settings)
