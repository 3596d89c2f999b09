"""Parts failing: the site keeps serving and keeps what readers give it.

Redis down: a real Redis client pointed at a port where nothing listens, as
when the cache server is restarting. (A digest send with the relay down is in
tests/digests; a worker killed mid-send in tests/digests/test_workers.py.)
"""

from __future__ import annotations

import pytest

from dateline.newsletter.models import ConsentRecord, Subscriber
from tests.factories import make_article
from tests.newsletter.helpers import form_data

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": 0.2,
        "SOCKET_TIMEOUT": 0.2,
        "IGNORE_EXCEPTIONS": True,
    },
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": DEAD_REDIS, "renditions": DEAD_REDIS}


def test_pages_are_served_without_the_cache(client, world, redis_down):
    article = make_article(world, "Dam agreement signed", photo=True)
    for _ in range(2):
        response = client.get(article.url)
        assert response.status_code == 200
        assert "Dam agreement signed" in response.content.decode()
        assert "X-Cache" not in response
    assert client.get("/").status_code == 200


def test_signups_are_still_stored(client, world, redis_down, mail_server):
    response = client.post("/newsletter/", form_data("ana@example.org"))
    assert response.status_code == 303
    subscriber = Subscriber.objects.get(email="ana@example.org")
    assert subscriber.status == Subscriber.Status.PENDING
    assert ConsentRecord.objects.filter(email="ana@example.org").exists()
    assert len(mail_server.to("ana@example.org")) == 1


def test_comments_are_still_stored(client, world, redis_down, settings):
    from dateline.comments.models import Comment
    from tests.comments.helpers import form

    settings.COMMENTS_MODERATION = "none"
    article = make_article(world, "Dam agreement signed")
    response = client.post("/comments/post/", form(article, body="A clear account."))
    assert response.status_code in (302, 303), response.content.decode()[:500]
    assert Comment.objects.filter(article=article, body="A clear account.").exists()
