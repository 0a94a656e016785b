"""The site's URLs with OpenID Connect turned on, as ``BASTION_OIDC_CLIENT_ID`` would at start-up
(bastion/urls.py reads the flag once, before a test can change the settings)."""

from django.urls import include, path

from bastion.urls import urlpatterns as site

urlpatterns = [*site, path("oidc/", include("mozilla_django_oidc.urls"))]
