"""Write the demo newsroom into the database: site, sections, staff, photos and articles."""

from __future__ import annotations

import datetime
import io
import os
import random
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.utils import timezone
from modelsearch import index as search_index
from wagtail.images.models import AbstractRendition, Filter
from wagtail.models import Page, Revision, Site

from dateline.newsroom.demo import photos
from dateline.newsroom.demo.stories import EVENTS, SCHEDULED, SECTIONS, STAFF, Event
from dateline.newsroom.demo.writer import ArticlePlan, plan_article
from dateline.newsroom.models import (
    CARD_RENDITIONS,
    LEAD_RENDITIONS,
    SCHEMA_RENDITIONS,
    SHARE_RENDITION,
    ArticleAuthor,
    ArticleCorrection,
    ArticlePage,
    ArticleSource,
    Author,
    HomePage,
    Photo,
    PhotoRendition,
    SectionPage,
)

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "dateline-demo"  # noqa: S105 - a published demo login, printed on every run
ADMIN_FIRST_NAME, ADMIN_LAST_NAME = "Demo", "Editor"

# Every spec the templates ask for, made now so the first reader does not wait for them.
LEAD_PHOTO_SPECS = (
    *LEAD_RENDITIONS,
    *CARD_RENDITIONS,
    SHARE_RENDITION,
    *SCHEMA_RENDITIONS,
)
INLINE_PHOTO_SPECS = ("width-480|format-webp", "width-800|format-webp")

SPREAD = datetime.timedelta(days=10)
PRIORITY = {
    "top": ArticlePage.Priority.TOP,
    "normal": ArticlePage.Priority.NORMAL,
    "minor": ArticlePage.Priority.MINOR,
}
HOME_INTRO = "Demo content: every story, person, place and company on this site is invented."

Progress = Callable[[str], None]


@dataclass
class DemoResult:
    sections: int = 0
    live: int = 0
    photos: int = 0
    scheduled: ArticlePage | None = None
    corrected: ArticlePage | None = None
    admin_created: bool = False

    @property
    def articles(self) -> int:
        return self.live + (1 if self.scheduled else 0)


def make_home() -> HomePage:
    """The home page as the default site's root, in place of Wagtail's welcome page."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(title="Home", slug="dateline-home", intro=HOME_INTRO)
        )
    point_default_site_at(home)
    welcome = Page.objects.filter(
        depth=2, content_type=ContentType.objects.get_for_model(Page), numchild=0
    ).exclude(pk=home.pk)
    for page in welcome:
        if not Site.objects.filter(root_page=page).exists():
            page.delete()
    if home.slug != "home" and not Page.objects.filter(depth=2, slug="home").exists():
        # The root's slug never shows in a URL, but "home" is what an editor expects to see.
        home.slug = "home"
    home.save_revision().publish()
    # Publishing saved a copy made from the revision; children need the fresh url_path.
    home.refresh_from_db()
    return home


def point_default_site_at(home: HomePage) -> Site:
    parts = urlsplit(settings.BASE_URL)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.root_page = home
    site.site_name = settings.WAGTAIL_SITE_NAME
    if not Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists():
        site.hostname, site.port = hostname, port
    site.save()
    return site


def make_sections(home: HomePage) -> dict[str, SectionPage]:
    sections: dict[str, SectionPage] = {}
    for spec in SECTIONS:
        slug = spec.title.lower().replace(" ", "-")
        section = SectionPage.objects.child_of(home).filter(slug=slug).first()
        if section is None:
            section = SectionPage(title=spec.title, slug=slug, intro=spec.intro)
            home.add_child(instance=section)
            section.save_revision().publish()
        sections[spec.key] = section
    return sections


def make_staff() -> dict[str, Author]:
    staff: dict[str, Author] = {}
    for person in STAFF:
        kind = Author.Kind.ORGANISATION if person.organisation else Author.Kind.PERSON
        staff[person.name], _ = Author.objects.update_or_create(
            name=person.name, defaults={"kind": kind, "role": person.role, "bio": person.bio}
        )
    return staff


def make_admin() -> bool:
    """A demo superuser, unless the site already has one: an operator's login wins."""
    if settings.PRODUCTION:
        # A published password is a way in for anyone who has read the README.
        raise RuntimeError("The demo login is never created in production.")
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return False
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return False
    # A name too: Wagtail's Account page, where the console says to change the password,
    # refuses to save a user without one.
    User.objects.create_superuser(
        ADMIN_USERNAME,
        "admin@example.org",
        ADMIN_PASSWORD,
        first_name=ADMIN_FIRST_NAME,
        last_name=ADMIN_LAST_NAME,
    )
    return True


@dataclass
class PhotoJob:
    plan: ArticlePlan
    caption: str
    specs: tuple[str, ...]
    painted: Future[bytes]
    photo: Photo | None = None
    renditions: list[Future[AbstractRendition]] = field(default_factory=list)


class Darkroom:
    """Paints photos and develops their renditions on worker threads.

    Pillow lets go of the GIL while it resizes and encodes, so the pictures are
    made on the spare cores while the main thread writes pages to the database.
    Only the main thread touches the database: the workers return unsaved
    renditions (Wagtail's own ``generate_rendition_instance``) and ``finish``
    saves them in bulk, as Wagtail's ``create_renditions`` does.
    """

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2))
        self.jobs: list[PhotoJob] = []

    def order(self, plan: ArticlePlan, caption: str, salt: str, specs: tuple[str, ...]) -> PhotoJob:
        # crc32, not hash(): Python salts str hashes per process, and the pictures should repeat.
        seed = zlib.crc32(f"{plan.slug}/{salt}".encode())
        palette = photos.PALETTES[plan.event.section]
        job = PhotoJob(plan, caption, specs, self.pool.submit(photos.jpeg_bytes, seed, palette))
        self.jobs.append(job)
        return job

    def collect(self, job: PhotoJob) -> Photo:
        """The saved Photo for ``job``, with its renditions set going in the background."""
        data = job.painted.result()
        palette = photos.PALETTES[job.plan.event.section]
        photo = Photo(
            title=job.caption.rstrip("."),
            file=ImageFile(io.BytesIO(data), name=f"{job.plan.slug[:40]}.jpg"),
            caption=job.caption,
            credit=job.plan.photo_credit or f"Illustration: {settings.PUBLICATION_NAME}",
            copyright=f"© {timezone.now().year} Dateline demo (generated image)",
            licence="Generated by Dateline for its demo; free to reuse",
            description=photos.describe(palette),
        )
        photo.save()
        job.photo = photo
        job.renditions = [
            self.pool.submit(photo.generate_rendition_instance, Filter(spec), io.BytesIO(data))
            for spec in job.specs
        ]
        return photo

    def finish(self) -> None:
        for job in self.jobs:
            if job.photo is None:
                continue
            renditions = [future.result() for future in job.renditions]
            PhotoRendition.objects.bulk_create(renditions, ignore_conflicts=True)
            # Finds them all now; this also fills the renditions cache.
            job.photo.get_renditions(*job.specs)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def publication_times(count: int, now: datetime.datetime) -> list[datetime.datetime]:
    """``count`` times over the last ten days, newest first, not evenly spaced."""
    rng = random.Random(count)  # noqa: S311 - spacing, not security
    step = SPREAD / max(count, 1)
    times = []
    for i in range(count):
        jitter = step * rng.uniform(-0.35, 0.35)
        times.append(now - step * (i + 0.4) + jitter)
    return sorted(times, reverse=True)


def interleaved_events(count: int) -> list[tuple[Event, str]]:
    """Events taken a section at a time, so every section has fresh stories.

    Past the end of the list, events come round again as updates; the title
    prefix keeps their headlines and slugs apart.
    """
    by_section = [[e for e in EVENTS if e.section == s.key] for s in SECTIONS]
    longest = max(len(events) for events in by_section)
    ordered = [events[row] for row in range(longest) for events in by_section if row < len(events)]
    chosen = []
    for i in range(count):
        lap = i // len(ordered)
        prefix = "" if lap == 0 else ("Update: " if lap == 1 else f"Update {lap}: ")
        chosen.append((ordered[i % len(ordered)], prefix))
    return chosen


def add_article(
    plan: ArticlePlan,
    section: SectionPage,
    staff: dict[str, Author],
    lead: Photo,
    *,
    go_live_at: datetime.datetime | None = None,
    correction_at: datetime.datetime | None = None,
) -> ArticlePage:
    page = ArticlePage(
        title=plan.title,
        slug=plan.slug,
        standfirst=plan.standfirst,
        dateline_place=plan.dateline_place,
        lead_image=lead,
        body=plan.body,
        priority=PRIORITY[plan.weight],
    )
    if go_live_at:
        # Not live until Wagtail's publish_scheduled reaches it; the publish
        # signal then sets published_at.
        page.live = False
        page.go_live_at = go_live_at
    else:
        # Wagtail keeps a first_published_at it is given, so the admin agrees with the page.
        page.published_at = page.first_published_at = plan.published_at
    for i, name in enumerate(plan.authors):
        page.article_authors.add(ArticleAuthor(author=staff[name], sort_order=i))
    for i, source in enumerate(plan.sources):
        page.sources.add(
            ArticleSource(
                outlet=source.outlet,
                outlet_short=source.outlet_short,
                outlet_takes_the=source.outlet_takes_the,
                read_at=source.read_at,
                url=source.url,
                kind=source.kind,
                published_on=source.published_on,
                sort_order=i,
            )
        )
    if correction_at and plan.event.correction:
        page.corrections.add(
            ArticleCorrection(
                kind=ArticleCorrection.Kind.CORRECTION,
                noted_at=correction_at,
                text=f"<p>{plan.event.correction}</p>",
                sort_order=0,
            )
        )
    section.add_child(instance=page)
    page.tags.add(*plan.tags)
    revision = page.save_revision()
    revision.publish()
    if go_live_at:
        # Wagtail sends page_published when it merely schedules a revision, and the
        # newsroom's handler then stamps published_at with today; the story's date
        # is the moment it goes live, which the handler sets when it does.
        ArticlePage.objects.filter(pk=page.pk).update(published_at=None)
        page.published_at = None
    else:
        # Back-date the history too, so "last published" and sitemaps match the story's date.
        Revision.objects.filter(pk=revision.pk).update(created_at=plan.published_at)
        ArticlePage.objects.filter(pk=page.pk).update(
            last_published_at=plan.published_at, latest_revision_created_at=plan.published_at
        )
    return page


def steps(count: int) -> int:
    """How many times ``load`` calls ``progress``: once an article, once for the renditions."""
    return count + 1


def load(
    count: int = 40,
    *,
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Create the demo newsroom with ``count`` articles, one of them scheduled for tomorrow.

    The caller decides whether the database may receive it and wraps this in a
    transaction; ``progress`` is called ``steps(count)`` times with what was done.
    """
    now = now or timezone.now()
    report = progress or (lambda done: None)
    result = DemoResult()
    home = make_home()
    sections = make_sections(home)
    result.sections = len(sections)
    staff = make_staff()

    live_count = count - 1 if count > 1 else count
    used_slugs = set(ArticlePage.objects.values_list("slug", flat=True))
    plans: list[ArticlePlan] = []
    for number, ((event, prefix), published_at) in enumerate(
        zip(interleaved_events(live_count), publication_times(live_count, now), strict=True)
    ):
        rng = random.Random(f"dateline-demo/{number}")  # noqa: S311 - prose, not security
        plan = plan_article(
            event,
            number=number,
            published_at=published_at,
            rng=rng,
            with_inline_photo=number % 7 == 3,
            title_prefix=prefix,
        )
        plan.slug = unique_slug(plan.slug, used_slugs)
        plans.append(plan)
    go_live_at = None
    if count > 1:
        # Tomorrow at seven, local time: the morning an embargoed prize result would lift.
        tomorrow = timezone.localtime(now) + datetime.timedelta(days=1)
        go_live_at = tomorrow.replace(hour=7, minute=0, second=0, microsecond=0)
        rng = random.Random("dateline-demo/scheduled")  # noqa: S311 - prose, not security
        plan = plan_article(SCHEDULED, number=count, published_at=go_live_at, rng=rng)
        plan.slug = unique_slug(plan.slug, used_slugs)
        plans.append(plan)

    darkroom = Darkroom()
    try:
        # Order every picture first, so the workers paint ahead of the page writing.
        orders = [
            (
                darkroom.order(plan, plan.event.caption, "lead", LEAD_PHOTO_SPECS),
                darkroom.order(plan, plan.inline_photo_caption, "inline", INLINE_PHOTO_SPECS)
                if plan.inline_photo_caption
                else None,
            )
            for plan in plans
        ]
        for plan, (lead_job, inline_job) in zip(plans, orders, strict=True):
            lead = darkroom.collect(lead_job)
            if inline_job:
                inline = darkroom.collect(inline_job)
                for block in plan.body:
                    if block["type"] == "photo":
                        block["value"]["image"] = inline.pk
            section = sections[plan.event.section]
            if plan.event is SCHEDULED:
                result.scheduled = add_article(plan, section, staff, lead, go_live_at=go_live_at)
                report(f"Scheduled: {plan.title}")
                continue
            correction_at = None
            if plan.event.correction and result.corrected is None:
                correction_at = plan.published_at + (now - plan.published_at) / 2
            page = add_article(plan, section, staff, lead, correction_at=correction_at)
            if correction_at:
                result.corrected = page
            result.live += 1
            report(plan.title)
        result.photos = sum(1 for job in darkroom.jobs if job.photo)
        darkroom.finish()
    finally:
        darkroom.close()
    report("Photo renditions saved")

    index_for_search()
    result.admin_created = make_admin()
    return result


def index_for_search() -> None:
    """Put the live stories in the search index now.

    Saving a page queues a task that indexes it, and the demo queues several hundred
    tasks: a reader searching right after `make run` would find nothing until the
    worker reached them. (They still run, and index the same text again.)
    """
    for page in ArticlePage.objects.live().specific():
        search_index.insert_or_update_object(page)


def unique_slug(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate = f"{slug[:66]}-{n}"
        n += 1
    used.add(candidate)
    return candidate
