from django.conf import settings
from django.urls import include, path

# A path no view matched: JSON under /api/ (as the schema documents), the site's page elsewhere.
handler404 = "bastion.core.api.not_found"

urlpatterns = [
    path("", include("bastion.core.urls")),
    # After the kernel's /accounts/login/, logout/, password/, me/, security-log/: no overlap.
    path("accounts/", include("bastion.accounts.urls")),
    path("orgs/", include("bastion.orgs.urls")),
    path("agenda/", include("bastion.agenda.urls")),
    path("tasks/", include("bastion.tasks.urls")),
    path("problems/", include("bastion.problems.urls")),
    path("evaluation/", include("bastion.evaluation.urls")),
    path("api/v1/", include("bastion.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.BASTION_SSO_OIDC:
    # OpenID Connect sign-in (docs/sso.md): the provider's redirect comes back to /oidc/callback/.
    urlpatterns += [path("oidc/", include("mozilla_django_oidc.urls"))]

# Uploads are never served under MEDIA_URL, not even with DEBUG on: every stored file (evidence,
# attachments, bulletins, import files) is downloaded through a view that checks the reader's
# scope (bastion.core.evidence.file_response), so a guessed or leaked path gives nothing.

if settings.BASTION_BENCH:
    # The framework floor: a minimal authenticated one-query view, only under the benchmark.
    from bastion.core.bench_views import floor

    urlpatterns += [path("bench/floor/", floor, name="bench_floor")]
