"""Links in mail already sent keep working: the token format is pinned to fixed values."""

from __future__ import annotations

import pytest

from dateline.digests.models import delivery_id_from_token, delivery_token
from dateline.newsletter import tokens
from dateline.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

SECRET = "pinned-secret-key-for-the-token-format-" + "x" * 20
# Made with this SECRET before tokens moved to Django's salted_hmac: readers hold such links.
MANAGE_TOKEN = "PinnedPublicId.ab7e242ea55a398b09e341d852ccd9f4"
DELIVERY_TOKEN = "4242xf1505d1dbd248bd49f5e"


@pytest.fixture
def reader(settings) -> Subscriber:
    settings.SECRET_KEY = SECRET
    return Subscriber.objects.create(
        email="pinned@example.org", public_id="PinnedPublicId", token_key="pinned-key"
    )


def test_a_manage_link_mailed_before_still_works(reader):
    assert tokens.manage_token(reader) == MANAGE_TOKEN
    assert tokens.subscriber_for_token(MANAGE_TOKEN) == reader


def test_a_bounce_address_mailed_before_still_counts(settings):
    settings.SECRET_KEY = SECRET
    assert delivery_token(4242) == DELIVERY_TOKEN
    assert delivery_id_from_token(DELIVERY_TOKEN) == 4242


def test_a_new_secret_key_revokes_manage_links(reader, settings):
    settings.SECRET_KEY = "rotated-" + SECRET
    assert tokens.manage_token(reader) != MANAGE_TOKEN
    assert tokens.subscriber_for_token(MANAGE_TOKEN) is None
