"""Bastion settings, read from the environment (12-factor); defaults suit a developer laptop."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from bastion.accounts.sso_settings import apply_sso_settings
from bastion.core.deploy_settings import apply_deploy_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


# The published development key: bastion.core.deploy_settings refuses it on a server others reach.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
# Off unless asked for (`make dev` sets DEBUG=1): a debug page lists every URL and setting.
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "treebeard",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "auditlog",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "bastion.core",
    "bastion.orgs",
    "bastion.agenda",
    "bastion.tasks",
    "bastion.problems",
    "bastion.evaluation",
    "bastion.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "bastion.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "bastion.orgs.middleware.CurrentOrganizationMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bastion.urls"
WSGI_APPLICATION = "bastion.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "bastion.core.context_processors.site_frame",
                "bastion.orgs.context_processors.org_context",
                "bastion.core.notifications.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# The tree the scope door works on and its people; core names them here, as Django names the
# user model, so that the kernel never imports the organization app.
BASTION_ORGANIZATION_MODEL = "orgs.Organization"
BASTION_ROLE_MODEL = "orgs.Role"
BASTION_PERSON_MODEL = "orgs.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Single sign-on (LDAP, OpenID Connect): off unless the environment configures it (docs/sso.md).
apply_sso_settings(globals())

# django-axes: lock an account (per username) after 5 failed attempts.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_root"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "static_build"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# `collectstatic` (run by `make run`) writes each file under a name carrying its hash, with a
# gzip copy; WhiteNoise serves them from STATIC_ROOT with a one-year cache. With DEBUG on,
# pages link the plain names and the files come from the finders, so `make dev` needs no collect.
# The test and benchmark settings switch back to plain storage: they never run collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps (some 15 MB) are fetched only by a developer's browser tools: not worth compressing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Uploads: an Excel roster is refused above this size (bytes).
BASTION_MAX_UPLOAD_BYTES = int(os.environ.get("BASTION_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = BASTION_MAX_UPLOAD_BYTES + 1024 * 1024
# Imports: rows of one file (a sheet's blank rows count too) and the bytes its parts unpack to.
# 2 KB a row is about twice what a 15-column roster takes unpacked (1.1 KB a row written by
# openpyxl, less when Excel shares strings), so a genuine file at the row bound still passes.
BASTION_IMPORT_MAX_ROWS = int(os.environ.get("BASTION_IMPORT_MAX_ROWS", 100_000))
BASTION_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("BASTION_IMPORT_MAX_UNPACKED_BYTES", BASTION_IMPORT_MAX_ROWS * 2048)
)
# Background jobs (bastion.core.job_recovery): a run silent this long is given up as dead, one
# never picked up from the queue after the second bound; a status page stops polling after the
# third; a stored upload waiting for a confirmation or a retry is deleted after some days.
BASTION_JOB_STALE_MINUTES = int(os.environ.get("BASTION_JOB_STALE_MINUTES", 5))
BASTION_JOB_QUEUE_MINUTES = int(os.environ.get("BASTION_JOB_QUEUE_MINUTES", 60))
BASTION_JOB_POLL_MAX_MINUTES = int(os.environ.get("BASTION_JOB_POLL_MAX_MINUTES", 30))
BASTION_IMPORT_KEEP_DAYS = int(os.environ.get("BASTION_IMPORT_KEEP_DAYS", 7))
# Meeting photos and documents, guide attachments: checked by content and by this size.
BASTION_MAX_ATTACHMENT_BYTES = int(os.environ.get("BASTION_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# API tokens (POST /api/v1/auth/token/) expire after this many days; a password change, a
# deactivation or a reset ends them sooner.
BASTION_API_TOKEN_DAYS = int(os.environ.get("BASTION_API_TOKEN_DAYS", "30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bastion.core.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "bastion.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bastion.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bastion 堡垒 API",
    "DESCRIPTION": _("供电企业党建与业务融合平台接口"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the errors it may answer (bastion.core.api_docs).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bastion.core.api_docs.document_error_responses",
    ],
    # One schema name per choice set: several apps call their fields "kind" or "state", and
    # drf-spectacular would otherwise name each set after its field and collide.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "bastion.orgs.models.organization.OrganizationKind",
        "MembershipStatusEnum": "bastion.orgs.models.person.MembershipStatus",
        "BulkOpenMembershipEnum": "bastion.accounts.api.serializers.BULK_MEMBERSHIP_CHOICES",
        "UnitKindEnum": "bastion.orgs.models.organization.UnitKind",
        "ItemKindEnum": "bastion.agenda.models.ItemKind",
        "RecurrenceEnum": "bastion.agenda.models.Recurrence",
        "AlertLevelEnum": "bastion.agenda.models.AlertLevel",
        "MeetingKindEnum": "bastion.agenda.models.MEETING_KIND_CHOICES",
        "MeetingStatusEnum": "bastion.agenda.models.MeetingStatus",
        "AttendanceStatusEnum": "bastion.agenda.models.AttendanceStatus",
        "AttachmentKindEnum": "bastion.core.evidence.EvidenceKind",
        "DuesCategoryEnum": "bastion.agenda.models.DuesCategory",
        "TaskStatusEnum": "bastion.tasks.models.TaskStatus",
        "TaskPriorityEnum": "bastion.tasks.models.Priority",
        "FeedbackFieldKindEnum": "bastion.tasks.models.FieldKind",
        "AssignmentStateEnum": "bastion.tasks.models.AssignmentState",
        "InspectionKindEnum": "bastion.problems.models.InspectionKind",
        "ProblemSourceEnum": "bastion.problems.models.Source",
        "ProblemCategoryEnum": "bastion.problems.models.Category",
        "ProblemLibraryEnum": "bastion.problems.models.Library",
        "ProblemStateEnum": "bastion.problems.models.State",
        "ProblemTierEnum": "bastion.problems.models.Tier",
        "ProblemMoveEnum": "bastion.problems.api.enums.MOVE_CHOICES",
        "SchemeTargetKindEnum": "bastion.evaluation.models.TargetKind",
        "SchemePeriodKindEnum": "bastion.evaluation.models.PeriodKind",
        "SchemeStyleEnum": "bastion.evaluation.models.SchemeStyle",
        "MissingPolicyEnum": "bastion.evaluation.models.MissingPolicy",
        "IndicatorKindEnum": "bastion.evaluation.models.IndicatorKind",
        "IndicatorSourceEnum": "bastion.evaluation.models.DataSource",
        "EvaluatorKindEnum": "bastion.evaluation.models.EvaluatorKind",
        "TitleKindEnum": "bastion.evaluation.models.TitleKind",
        "TitleBasisEnum": "bastion.evaluation.models.TitleBasis",
        "TitleRankWithinEnum": "bastion.evaluation.models.RankWithin",
        "RoundStateEnum": "bastion.evaluation.models.RoundState",
        "BenchmarkDirectionEnum": "bastion.evaluation.models.Direction",
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bastion@localhost")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
# Mail is only sent where an operator named a mail server; intranets often have none.
BASTION_EMAIL_ENABLED = bool(os.environ.get("EMAIL_HOST"))

# The daily digest also goes to an enterprise chat robot (企业微信/钉钉 webhook) when set.
BASTION_WEBHOOK_URL = os.environ.get("BASTION_WEBHOOK_URL", "")
BASTION_WEBHOOK_TIMEOUT = float(os.environ.get("BASTION_WEBHOOK_TIMEOUT", "5"))
BASTION_WEBHOOK_KIND = os.environ.get("BASTION_WEBHOOK_KIND", "wecom")  # or "dingtalk"
# 企业微信 refuses robot messages over 4096 bytes; a digest lists at most this many lines.
BASTION_WEBHOOK_MAX_BYTES = int(os.environ.get("BASTION_WEBHOOK_MAX_BYTES", "4000"))
BASTION_DIGEST_MAX_LINES = int(os.environ.get("BASTION_DIGEST_MAX_LINES", "50"))
# Where links in e-mails and webhook messages point (the intranet address of Bastion).
BASTION_SITE_URL = os.environ.get("BASTION_SITE_URL", "http://127.0.0.1:8000")

AUDITLOG_INCLUDE_ALL_MODELS = False

# The benchmark turns on a minimal one-query view to measure the framework floor.
BASTION_BENCH = env_bool("BASTION_BENCH", False)

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").upper()
# Everything to stdout (the terminal under `make run`, the journal under systemd): one handler on
# the root logger. Django's own "django" logger is emptied of its default handlers (a console
# that prints only with DEBUG on, mail to ADMINS) so that each line appears once; request errors
# with their traceback reach the root handler at ERROR.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}

# Lockout is per account, not per IP: on a company intranet many users share one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Production (docs/deploy.md): TLS behind nginx, shared media, probes. Last: it reads the above.
apply_deploy_settings(globals())
