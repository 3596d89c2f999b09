"""An embed whose provider cannot be reached still shows a link to what it embedded."""

from __future__ import annotations

from unittest import mock

import pytest
from wagtail.embeds.exceptions import EmbedNotFoundException

from dateline.newsroom.models import ArticleBody

URL = "https://video.example/watch/harbour-storm"


@pytest.mark.django_db
def test_an_unreachable_embed_renders_as_a_plain_link():
    body = ArticleBody().to_python([{"type": "embed", "value": URL}])
    # The provider is the edge: no network, or a provider gone.
    with mock.patch("wagtail.embeds.embeds.get_embed", side_effect=EmbedNotFoundException):
        html = str(body)
    assert f'<a href="{URL}">{URL}</a>' in html
