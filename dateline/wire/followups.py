"""Background work that the wire's own modules queue, run by ``dateline worker``: a kill
warning mailed to the editors of the stories that used the item (ingest.py), a wire photo
fetched for a draft (stories.py). Apart from tasks.py, whose poll task calls back into
ingest through the transports, so that the wire's modules import one way."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from dateline.lib.emails import make_message
from dateline.newsroom.models import ArticlePage, Photo


def article_editors(article_id: int) -> list[str]:
    """Who to warn about an article: its owner and everyone who saved a revision of it."""
    from wagtail.models import Page, Revision

    page = Page.objects.filter(pk=article_id).first()
    if page is None:
        return []
    ids = set(
        Revision.page_revisions.filter(object_id=str(article_id))
        .exclude(user=None)
        .values_list("user_id", flat=True)
    )
    if page.owner_id:
        ids.add(page.owner_id)
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
    return sorted({u.email for u in users})


@task()
def mail_kill_warning(item_id: int) -> int:
    """Mail the editors of every article that used a killed item; returns mails sent."""
    from dateline.wire.models import WireItem

    item = WireItem.objects.select_related("provider").filter(pk=item_id).first()
    if item is None:
        return 0
    sent = 0
    for use in item.uses.select_related("article"):
        for address in article_editors(use.article_id):
            message = make_message(
                "wire/emails/kill",
                {"item": item, "article": use.article, "notice": use.notice},
                address,
            )
            message.send()
            sent += 1
    return sent


# A wire photo larger than this is not fetched.
MAX_PHOTO_BYTES = 25 * 1024 * 1024


@task()
def attach_wire_photo(article_id: int, href: str, caption: str, credit: str) -> str:
    """Fetch a wire photo and make it the draft's lead photo, with caption and credit."""
    import io
    import urllib.request

    from django.core.files.images import ImageFile

    article = ArticlePage.objects.filter(pk=article_id).first()
    if article is None:
        return "no such article"
    if not href.startswith(("http://", "https://")):
        return f"not an HTTP address: {href}"
    request = urllib.request.Request(href, headers={"User-Agent": "Dateline wire desk"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        data = response.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        return "photo too large"
    name = href.rsplit("/", 1)[-1].split("?")[0] or "wire-photo.jpg"
    photo = Photo(
        title=(caption or article.title)[:255],
        file=ImageFile(io.BytesIO(data), name=name),
        caption=caption[:500],
        credit=credit[:200],
        # The agency caption describes the picture; the editor may sharpen it.
        description=caption[:255],
    )
    photo.save()
    draft = article.get_latest_revision_as_object()
    draft.lead_image = photo
    draft.save_revision()
    ArticlePage.objects.filter(pk=article.pk).update(lead_image=photo)
    return f"photo {photo.pk} attached"
