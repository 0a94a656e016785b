"""Settings for ``make bench``: production-like (DEBUG off), one benchmark database per process.

``bench/run.py`` starts every process that uses these settings and tells it which database to use:
``BENCH_DB`` is the path of a SQLite file under ``bench/data/``; ``BENCH_DATABASE_URL``, when set,
points at a PostgreSQL database instead (``bench/run.py`` derives one database per dataset size).
"""

import os
import warnings

import dj_database_url

from .settings import *  # noqa: F403
from .settings import BASE_DIR

BASTION_BENCH = True
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

_url = os.environ.get("BENCH_DATABASE_URL")
if _url:
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BENCH_DB", str(BASE_DIR / "bench" / "data" / "large.sqlite3")),
            "CONN_MAX_AGE": 60,
            # The same pragmas as the served site (bastion/settings.py): WAL, IMMEDIATE writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

# Jobs enqueued during a benchmarked job are written to the database queue, as in production.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}

# No collectstatic for the benchmark: the pages it loads are HTML, WhiteNoise serves from finders.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
