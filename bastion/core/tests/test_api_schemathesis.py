"""schemathesis over every operation of ``/api/v1/``: no 5xx, every answer as the schema says.

Each operation is one test in the demo company (its own savepoint, so a POST, PATCH or DELETE
changes nothing for the next one), called with the API token of the demo's ``company`` user
(the company party-building administrator, who may do most things). The examples are few,
derandomized and not shrunk, so the run is bounded and the same on every machine: it guards
against classes of failure (an unbounded number, a nullable field declared non-null), not
against one unlucky draw. The schema is the one ``/api/v1/schema/`` publishes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.utils.encoders import JSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bastion.core.tokens import KEYWORD, api_token_issue

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


class InTransactionWSGIHandler(WSGIHandler):
    """Django's WSGI handler that keeps the test's database connection open between requests
    (as Django's test client does): the requests run inside the test's transaction."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def published_schema() -> dict:
    """The OpenAPI document as ``/api/v1/schema/`` serves it (built without a database)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    # JSON round trip: the generator returns lazy translation strings and ordered dicts.
    return json.loads(json.dumps(document, cls=JSONEncoder))


schema = schemathesis.openapi.from_dict(published_schema())
schema.app = InTransactionWSGIHandler()
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION)


@pytest.fixture
def company_token(demo):
    from django.contrib.auth import get_user_model

    company = get_user_model().objects.get(username="company")
    _token, key = api_token_issue(user=company, name="schemathesis")
    return key


@pytest.mark.xdist_group("seed_demo")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_operation_answers_as_documented(case, company_token):
    case.call_and_validate(headers={"Authorization": f"{KEYWORD} {company_token}"}, checks=CHECKS)
