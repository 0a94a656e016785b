from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("bastion.core.urls")),
    path("orgs/", include("bastion.orgs.urls")),
    path("agenda/", include("bastion.agenda.urls")),
    path("tasks/", include("bastion.tasks.urls")),
    path("problems/", include("bastion.problems.urls")),
    path("evaluation/", include("bastion.evaluation.urls")),
    path("api/v1/", include("bastion.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BASTION_BENCH:
    # The framework floor: a minimal authenticated one-query view, only under the benchmark.
    from bastion.core.bench_views import floor

    urlpatterns += [path("bench/floor/", floor, name="bench_floor")]
