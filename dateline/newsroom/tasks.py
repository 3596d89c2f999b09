"""Background work of the newsroom, run by ``dateline worker``."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page


@task()
def purge_frontend_cache(page_id: int | None) -> int:
    """Purge the reverse proxy's copy of a page and of everything that lists it."""
    batch = PurgeBatch()
    page = Page.objects.filter(pk=page_id).first() if page_id else None
    root = settings.BASE_URL
    urls = [f"{root}/", f"{root}/sitemap.xml", f"{root}/news-sitemap.xml"]
    # Newest first: a new story changes the first file of articles, and the fronts' dates.
    urls += [f"{root}/sitemap-fronts.xml", f"{root}/sitemap-articles-1.xml"]
    urls += [f"{root}/news-sitemap-{n}.xml" for n in range(1, 3)]
    urls += [f"{root}/feeds/rss.xml", f"{root}/feeds/atom.xml"]
    if page is not None:
        batch.add_page(page)
        parent = page.get_parent()
        if parent is not None and parent.depth > 2:
            # The section front and its feeds list the story too.
            batch.add_page(parent)
            urls += [f"{root}/feeds/{parent.slug}/rss.xml", f"{root}/feeds/{parent.slug}/atom.xml"]
    batch.add_urls(urls)
    batch.purge()
    return len(batch.urls)
