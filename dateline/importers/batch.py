"""Stories stored in batches: one transaction per batch, side effects once per batch.

Saving a Wagtail page queues a search-index task and a reference-index task per saved
row, and publishing one purges caches: for an archive of 10,000 stories that is
tens of thousands of queued tasks and a commit per story. An import instead stores
``size`` stories per transaction and, inside that same transaction, indexes what the
batch saved (search and references) in bulk; readers' caches are cleared once per
batch, after its commit. A run killed half way loses the batch it was in, whole, and
the next run stores it again: the guarantee of one story per transaction, per batch.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks import task
from modelcluster.fields import ParentalKey
from modelsearch import index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signal_handlers import disable_reference_index_auto_update

from dateline.newsroom.models import ArticlePage, SectionPage
from dateline.newsroom.signals import reader_facing_change

T = TypeVar("T")
DEFAULT_SIZE = 100

_state = threading.local()
_swap_lock = threading.Lock()
_swapped = False


def _pending() -> dict[str, Any] | None:
    return getattr(_state, "pending", None)


def pending_redirect(path: str, page_id: int | None, link: str) -> bool:
    """Keep a redirect for the batch's bulk write; False outside a batch."""
    pending = _pending()
    if pending is None:
        return False
    pending["redirects"][path] = (page_id, link)
    return True


def _search_handler(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """modelsearch's own handler, except while this thread runs an import batch."""
    pending = _pending()
    if pending is None or kwargs.get("raw"):
        post_save_signal_handler(instance=instance, **kwargs)
    else:
        pending["search"][type(instance)].add(instance.pk)


def _reference_recorder(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    pending = _pending()
    if pending is None or kwargs.get("raw") or sender not in ReferenceIndex.tracked_models:
        return
    # As wagtail.tasks.update_reference_index_task: a child row counts for its parent.
    while True:
        keys = [f for f in instance._meta.get_fields() if isinstance(f, ParentalKey)]
        if not keys:
            break
        parent = getattr(instance, keys[0].name)
        if parent is None:
            return
        instance = parent
    pending["references"][type(instance)].add(instance.pk)


def _swap_search_handlers() -> None:
    """Put _search_handler in modelsearch's place, once per process (it behaves the
    same outside an import, so other threads and later work see no difference)."""
    global _swapped
    with _swap_lock:
        if _swapped:
            return
        for model in index.get_indexed_models():
            if post_save.disconnect(post_save_signal_handler, sender=model):
                post_save.connect(_search_handler, sender=model, weak=False)
        post_save.connect(_reference_recorder, weak=False, dispatch_uid="importers-references")
        _swapped = True


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), max(size, 1)):
        yield items[start : start + max(size, 1)]


@contextmanager
def batch() -> Iterator[None]:
    """One transaction for a batch of stories, its index entries in it, caches after."""
    _swap_search_handlers()
    _state.pending = {
        "search": defaultdict(set),
        "references": defaultdict(set),
        "redirects": {},
        "history": [],
    }
    try:
        with transaction.atomic(), disable_reference_index_auto_update():
            yield
            flush(_state.pending)
    finally:
        del _state.pending
    reader_facing_change()


def flush(pending: dict[str, Any]) -> None:
    """Write what the batch kept for the end: redirects, search entries, references."""
    _save_redirects(pending["redirects"])
    PageLogEntry.objects.bulk_create(pending["history"])
    backends = list(get_search_backends(with_auto_update=True))
    for model, pks in pending["search"].items():
        query: Any = model.get_indexed_objects()
        found = query.filter(pk__in=list(pks))
        indexed = [o for o in (index.get_indexed_instance(o, check_exists=False) for o in found)]
        indexed = [o for o in indexed if o is not None]
        if not indexed:
            continue
        for backend in backends:
            backend.add_bulk(type(indexed[0]), indexed)
    # The reference index (what uses which photo) is the worker's, as after any save:
    # one task per model and batch, queued in the batch's transaction.
    for model, pks in pending["references"].items():
        index_references.enqueue(model._meta.label, sorted(pks))


def _save_redirects(wanted: dict[str, tuple[int | None, str]]) -> None:
    existing = {
        r.old_path: r for r in Redirect.objects.filter(site=None, old_path__in=list(wanted))
    }
    new, changed = [], []
    for path, (page_id, link) in wanted.items():
        found = existing.get(path)
        if found is None:
            new.append(
                Redirect(
                    old_path=path,
                    site=None,
                    redirect_page_id=page_id,
                    redirect_link=link,
                    is_permanent=True,
                )
            )
        elif (found.redirect_page_id, found.redirect_link, found.is_permanent) != (
            page_id,
            link,
            True,
        ):
            found.redirect_page_id, found.redirect_link, found.is_permanent = page_id, link, True
            changed.append(found)
    Redirect.objects.bulk_create(new)
    Redirect.objects.bulk_update(changed, ["redirect_page", "redirect_link", "is_permanent"])


@task()
def index_references(label: str, pks: list[Any]) -> int:
    """The reference index for what one batch of an import saved."""
    for obj in _existing(apps.get_model(label), pks):
        ReferenceIndex.create_or_update_for_object(obj)
    return len(pks)


def _existing(model: type[models.Model], pks: Iterable[Any]) -> Iterable[models.Model]:
    manager: Any = model._default_manager
    return manager.filter(pk__in=list(pks))


def in_batches(items: Sequence[T], size: int, store: Callable[[T], None]) -> None:
    """``store`` each item, ``size`` items per transaction."""
    for chunk in chunks(items, size):
        with batch():
            for item in chunk:
                store(item)


class Shelf:
    """Where new articles go in the page tree, kept in memory for the run.

    Treebeard's add_child locks and reads the parent and its last child for every
    page; an import adds thousands under a few sections, so it reads each section's
    last child once and counts on from there. An editor adding a page to the same
    section during the import makes a path clash: the batch fails whole, and running
    the import again finishes it.
    """

    def __init__(self) -> None:
        self.last: dict[int, str | None] = {}

    def place(self, section: SectionPage, page: ArticlePage) -> None:
        """Save ``page`` (new) as ``section``'s last child, already cleaned by the
        import (its slug is free: find_available_slug; its title is cut to fit)."""
        if section.pk not in self.last:
            child = section.get_last_child()
            self.last[section.pk] = child.path if child else None
        last = self.last[section.pk]
        page.depth = section.depth + 1
        if last is None:
            page.path = ArticlePage._get_path(section.path, page.depth, 1)
        else:
            page.path = ArticlePage(path=last)._inc_path()
        page._cached_parent_obj = section
        page._is_site_root = False
        page.title = page.title[:255]
        # Logged once, as Wagtail's publish (add_article), or by save_revision.
        page.save(clean=False, log_action=None)
        Page.objects.filter(pk=section.pk).update(numchild=F("numchild") + 1)
        self.last[section.pk] = page.path


def add_article(
    shelf: Shelf, section: SectionPage, page: ArticlePage, status: str, date: Any
) -> ArticlePage:
    """A new article under ``section``: "published" (live, dated ``date``), "scheduled"
    (to go live at ``date``) or "draft".

    A published story is saved live with its one revision, as Wagtail's publish would
    leave it, without the publish action: that reads the revision back, cleans and
    saves the page again and signals each publish, three times the work for what an
    import already knows. Drafts and scheduled stories are then handed to Wagtail.
    """
    if status != "published":
        page.live = False
        if status == "scheduled":
            # Not live until Wagtail's publish_scheduled reaches it (as the demo loader).
            page.go_live_at = date
        shelf.place(section, page)
        revision = page.save_revision()
        if status == "scheduled":
            revision.publish()
            # Wagtail signals a publish when it only schedules; the date is set at go-live.
            ArticlePage.objects.filter(pk=page.pk).update(published_at=None)
        page.refresh_from_db()
        return page
    when = date or timezone.now()
    page.live, page.has_unpublished_changes = True, False
    page.first_published_at = page.last_published_at = page.published_at = when
    page.latest_revision_created_at, page.draft_title = when, page.title
    shelf.place(section, page)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
        created_at=when,  # the story's own date in its history too, as the demo loader's
    )
    # Page's own fields: through ArticlePage, Django would first look up the ids.
    Page.objects.filter(pk=page.pk).update(latest_revision=revision, live_revision=revision)
    page.latest_revision = page.live_revision = revision
    entry = PageLogEntry(
        content_type=ContentType.objects.get_for_model(page, for_concrete_model=False),
        label=page.get_admin_display_title()[:255],
        action="wagtail.publish",
        timestamp=timezone.now(),
        data={},
        page=page,
        revision=revision,
        content_changed=True,
    )
    pending = _pending()
    if pending is not None:
        pending["history"].append(entry)  # written with the batch, in bulk
    else:
        entry.save()
    return page
