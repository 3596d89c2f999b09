"""The site's pages: the home page, section fronts and articles with their authors,
sources and corrections."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import F, Max, Prefetch, Window
from django.db.models.functions import Length, RowNumber, Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.http import http_date
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.url_routing import RouteResult

from dateline.newsroom import fronts
from dateline.newsroom.blocks import ArticleBody
from dateline.newsroom.models.authors import Author
from dateline.newsroom.models.photos import (
    CARD_RENDITIONS,
    LEAD_RENDITIONS,
    SCHEMA_RENDITIONS,
    SHARE_RENDITION,
    Photo,
    PhotoRendition,
)
from dateline.newsroom.routing import QuickViewRestrictions, for_generation, public


def live_articles() -> PageQuerySet:
    """Published articles with what a card shows, in a fixed number of queries."""
    return (
        public(ArticlePage.objects.live())
        # A card never shows the body: the home page lists up to 60 articles, and
        # each body is the largest column to fetch and decode.
        .defer_streamfields()
        .select_related("lead_image")
        .prefetch_related(
            Prefetch(
                "lead_image__renditions",
                queryset=PhotoRendition.objects.filter(filter_spec__in=CARD_RENDITIONS),
            )
        )
        .order_by("-published_at", "-pk")
    )


# Articles each process keeps per generation for readers the page cache cannot answer
# (HomePage.route); the busiest ones are the first asked for after a publish.
ARTICLES_KEPT = 300


def live_article_at(url_path: str) -> ArticlePage | None:
    """The live article at a URL path, with the renditions its page shows of its photo."""
    return (
        ArticlePage.objects.filter(url_path=url_path, live=True)
        .select_related("lead_image")
        .prefetch_related(
            Prefetch(
                "lead_image__renditions",
                queryset=PhotoRendition.objects.filter(
                    filter_spec__in=(*LEAD_RENDITIONS, SHARE_RENDITION, *SCHEMA_RENDITIONS)
                ),
            )
        )
        .first()
    )


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> Any:
    """One page of ``items``; a page number that is not a page is a 404, never a 500."""
    paginator = Paginator(items, per_page or settings.ARTICLES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("No such page of results") from None


def with_last_modified(response: HttpResponse, when: datetime.datetime | None) -> HttpResponse:
    """``response`` with Last-Modified, which feed readers and crawlers send back in
    If-Modified-Since (answered by dateline.lib.pagecache and ConditionalGetMiddleware)."""
    if when is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(when.timestamp())
    return response


class FrontLastModified:
    """Last-Modified for a front: its own last publish, its newest story's or the newest
    its boxes show (fronts.py), whichever is latest. New comments under a story do not
    count: If-None-Match, which browsers and crawlers send, sees those (the page's ETag)."""

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)  # type: ignore[misc]
        context["front_boxes"] = fronts.boxes(request, self)  # what other apps put on top
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().serve(request, *args, **kwargs)  # type: ignore[misc]
        assert isinstance(self, Page)
        stories = ArticlePage.objects.live().descendant_of(self).order_by()
        newest = stories.aggregate(newest=Max("last_published_at"))["newest"]
        boxes = (getattr(response, "context_data", None) or {}).get("front_boxes", [])
        dates = [d for d in (self.last_published_at, newest, *(b.modified for b in boxes)) if d]
        return with_last_modified(response, max(dates) if dates else None)


class HomePage(FrontLastModified, QuickViewRestrictions, Page):
    """The front page: top stories, then the latest from each section."""

    intro = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["newsroom.SectionPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    TOP_STORY_COUNT = 5
    # The navigation asks every page for its section (base.html). A name the template
    # cannot find costs a dir() of the whole page object, a page render's worst lookup.
    section = None
    PER_SECTION = 4

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        """Find an article by its URL path in one query, instead of a level at a time.

        Articles are most of what readers open; anything else is routed as usual.
        The article found is kept by this process until the next publish (see
        routing.for_generation), with what its render loads on it (authors, sources,
        tags, section, lead photo): a render that misses the page cache, such as a
        reader's with a session cookie, then asks the database only for comments.
        View restrictions are still checked on every request, after routing.
        """
        if len(path_components) == 2:
            url_path = self.url_path + "/".join(path_components) + "/"
            article = for_generation(
                f"article {url_path}", lambda: live_article_at(url_path), most=ARTICLES_KEPT
            )
            if article is not None:
                return RouteResult(article)
        return super().route(request, path_components)

    def top_stories(self) -> list[ArticlePage]:
        """The freshest top-priority stories first, filled up with the latest others."""
        since = timezone.now() - datetime.timedelta(days=3)
        recent = list(live_articles().filter(published_at__gte=since)[:60])
        if len(recent) < self.TOP_STORY_COUNT:
            recent = list(live_articles()[:60])
        recent.sort(
            key=lambda a: (a.priority, a.published_at or a.first_published_at), reverse=True
        )
        return recent[: self.TOP_STORY_COUNT]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        top = self.top_stories()
        shown = {a.pk for a in top}
        by_section = self.latest_by_section(self.PER_SECTION + len(shown))
        sections = []
        for section in public(SectionPage.objects.child_of(self).live()).order_by("path"):
            latest = [a for a in by_section.get(section.path, []) if a.pk not in shown]
            sections.append((section, latest[: self.PER_SECTION]))
        context.update(top_stories=top, lead_story=top[0] if top else None, sections=sections)
        return context

    def latest_by_section(self, count: int) -> dict[str, list[ArticlePage]]:
        """Each section's ``count`` newest stories, keyed by the section's path.

        One query for every section (a window numbering each section's stories), not
        two per section: the home page is rendered again after every publish.
        """
        parent_path = Substr("path", 1, Length("path") - Page.steplen)
        ranked = (
            live_articles()
            .descendant_of(self)
            .annotate(
                section_path=parent_path,
                rank=Window(
                    RowNumber(),
                    partition_by=[parent_path],
                    order_by=[F("published_at").desc(), F("pk").desc()],
                ),
            )
            .filter(rank__lte=count)
        )
        found: dict[str, list[ArticlePage]] = {}
        for article in ranked:
            found.setdefault(article.section_path, []).append(article)
        return found


class SectionPage(FrontLastModified, QuickViewRestrictions, Page):
    """A section front such as World News: its articles, newest first, paginated."""

    intro = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = ["newsroom.ArticlePage"]

    @property
    def section(self) -> SectionPage:
        """A section front is its own section (for the navigation, as on HomePage)."""
        return self

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = paginate(request, live_articles().child_of(self))
        return context


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticleForm(WagtailAdminPageForm):
    """The article editor's form: a lead photo must carry alt text for screen readers."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        photo = cleaned.get("lead_image")
        if photo is not None and not photo.description.strip():
            self.add_error(
                "lead_image",
                f"The photo '{photo.title}' has no alt text. Edit it under Images and "
                "describe what it shows in its Description field; readers using a screen "
                "reader hear that instead of the picture.",
            )
        return cleaned


class ArticlePage(QuickViewRestrictions, Page):
    # Set on the cards of lists that show counts ({% attach_comment_counts %}); a
    # default here spares the template the costly miss on the others (see HomePage).
    comment_count: int | None = None
    # The earliest an article may go live, as other apps know it (the wire's embargoes):
    # each takes the article and returns a time or None. Registered in their ready().
    go_live_floors: list[Callable[[ArticlePage], datetime.datetime | None]] = []

    class Priority(models.IntegerChoices):
        # Higher sorts first; the digest ranks by it too.
        TOP = 3, "Top story"
        NORMAL = 2, "Normal"
        MINOR = 1, "Minor"

    standfirst = models.TextField(
        max_length=500, help_text="One or two sentences under the headline"
    )
    dateline_place = models.CharField(
        "dateline", max_length=120, blank=True, help_text="Where the story was filed, e.g. LISBON"
    )
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Set on first publication when empty"
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the story was substantially updated"
    )
    lead_image = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(ArticleBody())
    tags = ClusterTaggableManager(through=ArticleTag, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    comments_open = models.BooleanField(default=True, help_text="Untick to close comments")

    base_form_class = ArticleForm
    content_panels = [
        # As Wagtail's own title field: typing the headline fills the slug, until the
        # story is first published (its address then stays).
        TitleFieldPanel("title", heading="Headline", placeholder="Headline*"),
        FieldPanel("standfirst"),
        InlinePanel("article_authors", label="Authors", min_num=1),
        FieldRowPanel([FieldPanel("dateline_place"), FieldPanel("priority")]),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        InlinePanel("sources", label="Sources"),
        InlinePanel("corrections", label="Corrections and updates"),
        FieldPanel("tags"),
    ]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [FieldPanel("published_at"), FieldPanel("updated_at"), FieldPanel("comments_open")],
            heading="Dates and comments",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.SearchField("dateline_place"),
        # Readers search for a writer's stories by the writer's name.
        index.RelatedFields(
            "article_authors", [index.RelatedFields("author", [index.SearchField("name")])]
        ),
        index.FilterField("published_at"),
    ]
    parent_page_types = ["newsroom.SectionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "article"

    @property
    def headline(self) -> str:
        return self.title

    @property
    def date_published(self) -> datetime.datetime | None:
        return self.published_at or self.first_published_at

    @cached_property
    def corrections_list(self) -> list[ArticleCorrection]:
        return list(self.corrections.all())

    @property
    def date_modified(self) -> datetime.datetime | None:
        """The last substantive change: an update, a correction or the publication."""
        dates = [d for d in (self.date_published, self.updated_at) if d]
        dates += [c.noted_at for c in self.corrections_list]
        return max(dates) if dates else None

    @cached_property
    def authors(self) -> list[Author]:
        return [
            link.author
            for link in self.article_authors.select_related("author").order_by("sort_order")
        ]

    @cached_property
    def tags_list(self) -> list[Any]:
        return list(self.tags.all())

    @cached_property
    def sources_list(self) -> list[ArticleSource]:
        return list(self.sources.order_by("sort_order"))

    @cached_property
    def section(self) -> SectionPage | None:
        # One query for the section itself rather than the parent, then its specific page.
        return SectionPage.objects.filter(path=self.path[: -self.steplen]).first()

    @cached_property
    def photo_credit(self) -> str:
        """The lead photo's credit: its own credit line, else one built from a photo source."""
        if self.lead_image and self.lead_image.credit:
            return self.lead_image.credit
        for source in self.sources_list:
            if source.kind == ArticleSource.Kind.PHOTO:
                return f"Photo from {source.outlet_short or source.outlet}"
        return ""

    def related_stories(self, limit: int = 4) -> list[ArticlePage]:
        """Stories sharing a tag, then the section's latest, never this one.

        The same for every reader until the next publish, so each process finds them
        once per page-cache generation (routing.for_generation), cards and renditions
        loaded; the page's render after that costs no query for them.
        """
        return for_generation(
            f"related {self.pk} {limit}", lambda: self._related(limit), most=ARTICLES_KEPT
        )

    def _related(self, limit: int) -> list[ArticlePage]:
        tag_ids = [tag.pk for tag in self.tags_list]
        related: list[ArticlePage] = []
        if tag_ids:
            related = list(
                live_articles()
                .filter(tagged_items__tag_id__in=tag_ids)
                .exclude(pk=self.pk)
                .distinct()[:limit]
            )
        if len(related) < limit and self.section:
            seen = {self.pk, *(a.pk for a in related)}
            related += list(
                live_articles().child_of(self.section).exclude(pk__in=seen)[: limit - len(related)]
            )
        return related

    def publish(self, revision: Any, *args: Any, **kwargs: Any) -> Any:
        """Every publish (the editor, bulk actions, scheduled, a shell) comes here.

        A go-live floor still ahead schedules the revision for that time rather than
        publishing it early: the editor's form says why first, the other paths cannot.
        """
        floors = [f for floor in self.go_live_floors if (f := floor(self))]
        floor = max(floors, default=None)
        if floor is not None and floor > timezone.now():
            given = revision.content.get("go_live_at")
            if isinstance(given, str):  # a datetime until the revision is read back
                given = parse_datetime(given)
            if given is None or given < floor:
                revision.content["go_live_at"] = floor.isoformat()
                revision.save(update_fields=["content"])
        return super().publish(revision, *args, **kwargs)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Counted by the page cache, on this render and on every cached hit after it.
        request.dateline_article_id = self.pk  # type: ignore[attr-defined]
        # The article's own last change (its dateModified). New comments leave it: they
        # change the page's ETag, which If-None-Match checks first.
        return with_last_modified(super().serve(request, *args, **kwargs), self.date_modified)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["related"] = self.related_stories()
        return context


class ArticleAuthor(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("author")]


class ArticleSource(Orderable):
    """One structured attribution: who reported it, where we read it, and what we took."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        PHOTO = "photo", "Photo"
        QUOTE = "quote", "Quote"

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="sources")
    outlet = models.CharField(max_length=200, help_text="Who reported it, e.g. Associated Press")
    outlet_short = models.CharField(
        max_length=40, blank=True, help_text="Short name for credits, e.g. AP"
    )
    outlet_takes_the = models.BooleanField(
        default=False, help_text='Say "the" before the name, as in "the Associated Press"'
    )
    read_at = models.CharField(
        max_length=200, blank=True, help_text="Where it was read, e.g. Times Union"
    )
    url = models.URLField(max_length=1000, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    published_on = models.DateField(null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("outlet"), FieldPanel("outlet_short")]),
        FieldPanel("outlet_takes_the"),
        FieldRowPanel([FieldPanel("read_at"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("url"), FieldPanel("published_on")]),
    ]

    def __str__(self) -> str:
        return self.phrase

    @property
    def outlet_name(self) -> str:
        return f"the {self.outlet}" if self.outlet_takes_the else self.outlet

    @property
    def phrase(self) -> str:
        """How the text names it: "reports the Associated Press at Times Union"."""
        verb = {"report": "reports", "photo": "photo from", "quote": "as quoted by"}[self.kind]
        where = f" at {self.read_at}" if self.read_at else ""
        return f"{verb} {self.outlet_name}{where}"


class ArticleCorrection(Orderable):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    noted_at = models.DateTimeField(default=timezone.now)
    text = RichTextField(features=["bold", "italic", "link"])

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("noted_at")]), FieldPanel("text")]
