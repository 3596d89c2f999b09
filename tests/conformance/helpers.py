"""What the conformance checks look at: every kind of mail Dateline sends (for the strict
parser and the mail-client check), and the pages asked for by name."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import caches
from django.test import Client

from dateline.lib import pagecache
from tests.newsletter.helpers import form_data, link_in, path_of

DOMAIN = "news.example.org"
PUBLICATION = "Le Café du Port"


@dataclass
class Site:
    home: Any
    section: Any
    article: Any
    author: Any
    comments: list[Any]


def sent_bytes() -> dict[str, bytes]:
    """What Django's SMTP backend would put on the wire for each mail sent so far."""
    return {m.subject: m.message().as_bytes(linesep="\r\n") for m in mail.outbox}


def newsletter_mails(client: Client) -> dict[str, bytes]:
    client.post("/newsletter/", form_data("reader@example.org"))
    client.post(path_of(link_in(mail.outbox[-1].body)))  # confirmation, then welcome
    client.post("/newsletter/", form_data("reader@example.org"))  # already subscribed
    found = sent_bytes()
    assert len(found) == 3, list(found)
    return found


def comment_mails(site: Site, settings: Any, capture: Any) -> dict[str, bytes]:
    from dateline.comments.models import Comment, Commenter
    from dateline.comments.tasks import notify_reply, send_moderation_summary, send_verification
    from tests.comments.helpers import approved

    mail.outbox.clear()
    zoe = Commenter.objects.create(email="zoe@example.org")
    assert send_verification.call(zoe.pk)
    Commenter.objects.filter(pk=zoe.pk).update(verified_at=datetime.datetime.now(datetime.UTC))
    parent = approved(site.article, "Zoë Brenn", commenter=zoe, notify_replies=True)
    reply = approved(site.article, "Ilse Måren", parent=parent)
    assert notify_reply.call(reply.pk)
    settings.COMMENTS_MODERATOR_EMAILS = ["desk@example.org"]
    approved(site.article, "Held Person", status=Comment.Status.HELD)
    assert send_moderation_summary.call() == 1
    found = sent_bytes()
    assert len(found) == 3, list(found)
    return found


def kill_notice(site: Site) -> dict[str, bytes]:
    from dateline.wire.followups import mail_kill_warning
    from dateline.wire.models import WireItem, WireUse
    from tests.wire.helpers import make_provider

    mail.outbox.clear()
    editor = get_user_model().objects.create_user("lin", "lin@example.org")
    site.article.owner = editor
    site.article.save()
    item = WireItem.objects.create(
        provider=make_provider("Meridian News Agency", format="ninjs"),
        guid="urn:meridian:text:1",
        headline="Ferry strike strands commuters",
    )
    WireUse.objects.create(article=site.article, item=item, notice="The agency withdrew it.")
    assert mail_kill_warning.call(item.pk) == 1
    return sent_bytes()


def digest(site: Site) -> dict[str, bytes]:
    from dateline.digests import render
    from dateline.digests.models import Delivery
    from tests.digests.helpers import INTRO, make_issue, reader

    issue = make_issue([site.article])
    # With an editor's introduction: bold, italic and a link, as the editor writes them.
    issue.intro = INTRO
    issue.save()
    group = render.render_group(issue, render.issue_stories(issue), None)
    assert group is not None
    subscriber = reader("digest@example.org")
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    return {"digest": group.message_for(delivery, subscriber)}


def url_of(site: Site, target: str) -> str:
    return {
        "article": site.article.url,
        "section": site.section.url,
        "feed": "/feeds/rss.xml",
        "sitemap": "/sitemap-articles-1.xml",
    }[target]


def forget_cached_pages() -> None:
    caches["default"].clear()
    pagecache.forget_local()
