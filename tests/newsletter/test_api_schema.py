"""schemathesis: the newsletter API against its own OpenAPI description, with generated input.

Every answer must be one the description allows (status, content type, body), and
no input, however odd, may make a 5xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from dateline.wsgi import application

schema = schemathesis.openapi.from_wsgi("/newsletter/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _room_for_many_signups(settings):
    # Generated signups come from one address: let them all reach the checks.
    settings.NEWSLETTER_SIGNUPS_PER_IP = 0


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description(case):
    # A schema cannot say which strings are deliverable addresses (email-validator's
    # rules), so a schema-valid signup may still get its 400: not checked here. Every
    # other check runs: no 5xx, documented statuses, content types and bodies.
    # Identity encoding: the WSGI transport hands schemathesis the bytes as sent, and a
    # compressed body (tests/conformance/test_compression.py) is not JSON to it.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
