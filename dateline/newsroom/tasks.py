"""Background work of the newsroom, run by ``dateline worker``."""

from __future__ import annotations

from django_tasks import task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site


@task()
def purge_frontend_cache(page_id: int | None) -> int:
    """Purge the reverse proxy's copy of a page and of everything that lists it."""
    batch = PurgeBatch()
    page = Page.objects.filter(pk=page_id).first() if page_id else None
    if page is not None:
        batch.add_page(page)
        parent = page.get_parent()
        if parent is not None and parent.depth > 1:
            batch.add_page(parent)
    for site in Site.objects.select_related("root_page"):
        root = site.root_url
        batch.add_urls(
            [
                f"{root}/",
                f"{root}/feeds/rss.xml",
                f"{root}/feeds/atom.xml",
                f"{root}/sitemap.xml",
                f"{root}/news-sitemap.xml",
            ]
        )
    batch.purge()
    return len(batch.urls)
