"""Live coverage: live blogs, their posts, and the breaking-news banner.

A live blog is a Wagtail page (headline, standfirst, lead photo, key points, the
window it is live in); its posts are rows of their own, never revisions of the
page, so several editors post at once without overwriting one another.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, TitleFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from dateline.lib import pagescopes
from dateline.newsroom.models import (
    ArticleForm,
    ArticleSource,
    Author,
    InlinePhotoBlock,
    LinkedEmbedBlock,
    Photo,
    QuoteBlock,
    SectionPage,
    with_last_modified,
)
from dateline.newsroom.routing import QuickViewRestrictions, for_generation

# The newest posts a reader's page and the update channel carry; older ones stay in
# the database (and the feed's archive is the page itself).
POSTS_SHOWN = 200
POSTS_POLLED = 50


class LivePostBody(blocks.StreamBlock):
    """The article body's blocks (newsroom.ArticleBody) less the subhead: a post is short."""

    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link"])
    quote = QuoteBlock()
    photo = InlinePhotoBlock()
    embed = LinkedEmbedBlock(help_text="A link to a video or post, e.g. on YouTube or Vimeo")


def cache_scope(blog_id: int | None) -> str:
    """The page-cache scope of what shows a live blog's posts: its page, channel and feed."""
    return f"live:{blog_id}"


# What lists every live blog with its latest post time (the sitemap of live blogs).
LISTS_SCOPE = "live:lists"


class LiveBlogPage(QuickViewRestrictions, Page):
    """Running coverage of one event: key points on top, then the stream of posts."""

    standfirst = models.TextField(
        max_length=500, help_text="One or two sentences under the headline"
    )
    lead_image = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_points = RichTextField(
        features=["ul", "bold", "italic", "link"],
        blank=True,
        help_text="The summary readers see first; keep it current as the story moves",
    )
    live_from = models.DateTimeField(
        "live from", default=timezone.now, help_text="When the coverage starts"
    )
    live_until = models.DateTimeField(
        "live until",
        null=True,
        blank=True,
        help_text="When the coverage ends; after it the page reads as an archive. "
        "Leave empty while it goes on.",
    )

    base_form_class = ArticleForm  # the lead photo must carry alt text, as on articles
    content_panels = [
        TitleFieldPanel("title", heading="Headline", placeholder="Headline*"),
        FieldPanel("standfirst"),
        InlinePanel("live_authors", label="Authors", min_num=1),
        FieldPanel("lead_image"),
        FieldPanel("key_points"),
        FieldRowPanel([FieldPanel("live_from"), FieldPanel("live_until")]),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("key_points"),
    ]
    parent_page_types = ["newsroom.SectionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "live blog"

    # What the article's JSON-LD (newsroom_tags.article_schema) also reads of a live blog.
    dateline_place = ""
    sources_list: list[ArticleSource] = []

    @property
    def headline(self) -> str:
        return self.title

    @property
    def date_published(self) -> datetime.datetime | None:
        return self.first_published_at or self.live_from

    def is_live(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.live_from <= now and (self.live_until is None or now < self.live_until)

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        return self.live_until is not None and (now or timezone.now()) >= self.live_until

    def next_change(self, now: datetime.datetime | None = None) -> datetime.datetime | None:
        """When the clock next changes what the page says: it goes live, or it ends."""
        now = now or timezone.now()
        if now < self.live_from:
            return self.live_from
        if self.live_until is not None and now < self.live_until:
            return self.live_until
        return None

    def cache_rules(self, request: HttpRequest) -> None:
        """What a cached page showing this blog's posts depends on (lib/pagescopes.py).

        Called before the posts are read: its posts' scope, and the moment it goes
        live or ends (then the page reads as the archive).
        """
        if self.pk is None:  # a preview before the first save: never cached
            return
        pagescopes.depends_on(request, cache_scope(self.pk))
        pagescopes.changes_at(request, self.next_change())

    @property
    def live_now(self) -> bool:
        return self.is_live()

    @property
    def ended(self) -> bool:
        return self.has_ended()

    @cached_property
    def authors(self) -> list[Author]:
        return [
            link.author
            for link in self.live_authors.select_related("author").order_by("sort_order")
        ]

    @cached_property
    def section(self) -> SectionPage | None:
        return SectionPage.objects.filter(path=self.path[: -self.steplen]).first()

    @cached_property
    def photo_credit(self) -> str:
        return self.lead_image.credit if self.lead_image else ""

    def stream(self, limit: int = POSTS_SHOWN) -> list[LivePost]:
        """The newest posts first, with their authors and sources, in two queries."""
        if self.pk is None:  # previewed before its first save: no posts yet
            return []
        return list(
            self.posts.select_related("author")
            .prefetch_related(Prefetch("sources", queryset=LivePostSource.objects.order_by("pk")))
            .order_by("-posted_at", "-pk")[:limit]
        )

    @property
    def date_modified(self) -> datetime.datetime | None:
        newest = None
        if self.pk is not None:
            newest = self.posts.aggregate(newest=models.Max("updated_at"))["newest"]
        dates = [d for d in (self.last_published_at, newest) if d]
        return max(dates) if dates else None

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        posts = self.stream()
        pinned = next((p for p in posts if p.pinned), None)
        context.update(
            posts=[p for p in posts if p is not pinned],
            pinned=pinned,
            key_events=[p for p in posts if p.key_event],
            all_posts=posts,
            poll_seconds=settings.LIVE_POLL_SECONDS,
        )
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.cache_rules(request)
        response = with_last_modified(super().serve(request, *args, **kwargs), self.date_modified)
        # The browser asks again on every view (a 304 while nothing changed), so the
        # "Refresh" link brings the newest posts, not the copy it kept for a minute.
        patch_cache_control(response, max_age=0)
        return response


class LiveBlogAuthor(Orderable):
    page = ParentalKey(LiveBlogPage, on_delete=models.CASCADE, related_name="live_authors")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("author")]


class LivePost(models.Model):
    """One post in a live blog: a row of its own, written on the live blog's admin screen."""

    blog = models.ForeignKey(LiveBlogPage, on_delete=models.CASCADE, related_name="posts")
    posted_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(LivePostBody())
    key_event = models.BooleanField(
        default=False, help_text="Listed among the key events at the top of the live blog"
    )
    pinned = models.BooleanField(
        default=False, help_text="Shown above the stream; pinning a post unpins the others"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-posted_at", "-pk"]
        verbose_name = "live post"

    def __str__(self) -> str:
        return f"{self.blog_id} {self.posted_at:%H:%M}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if self.pinned:
            # One pinned post per live blog: the newest pin wins.
            LivePost.objects.filter(blog_id=self.blog_id, pinned=True).exclude(pk=self.pk).update(
                pinned=False
            )

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"

    @cached_property
    def summary(self) -> str:
        """The post's first words, for the key events list and the feed's entry title."""
        for block in self.body:
            if block.block_type == "paragraph":
                text = strip_tags(str(block.value.source))
            elif block.block_type == "quote":
                text = f"“{block.value['text']}” ({block.value['speaker']})"
            else:
                continue
            return Truncator(" ".join(text.split())).words(16)
        return "Update"

    @cached_property
    def sources_list(self) -> list[LivePostSource]:
        return list(self.sources.all())


class LivePostSource(models.Model):
    """A post's attribution, with an article source's fields and wording (ArticleSource)."""

    post = models.ForeignKey(LivePost, on_delete=models.CASCADE, related_name="sources")
    outlet = models.CharField(max_length=200, help_text="Who reported it, e.g. Associated Press")
    outlet_short = models.CharField(max_length=40, blank=True)
    outlet_takes_the = models.BooleanField(default=False)
    read_at = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    kind = models.CharField(
        max_length=10, choices=ArticleSource.Kind.choices, default=ArticleSource.Kind.REPORT
    )
    published_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.phrase

    # Worded as an article's sources are, from the same fields: ArticleSource's own
    # properties, so the wording has one home.
    @property
    def outlet_name(self) -> str:
        return str(ArticleSource.outlet_name.fget(self))  # type: ignore[attr-defined]

    @property
    def phrase(self) -> str:
        return str(ArticleSource.phrase.fget(self))  # type: ignore[attr-defined]


class Banner(models.Model):
    """The one-line breaking-news banner shown on every reader page until it expires."""

    class Level(models.TextChoices):
        BREAKING = "breaking", "Breaking"
        DEVELOPING = "developing", "Developing"

    text = models.CharField(max_length=200, help_text="One line, e.g. Storm makes landfall")
    link = models.CharField(
        max_length=500,
        validators=[
            RegexValidator(
                r"^(/|https?://)",
                "A path on this site (starting with /) or an http(s) address.",
            )
        ],
        help_text="Where it leads: a live blog or an article, e.g. /world-news/…/",
    )
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.BREAKING)
    expires_at = models.DateTimeField(help_text="The banner disappears at this time")
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("text"),
        FieldPanel("link"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("expires_at")]),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "breaking-news banner"

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.text}"

    @classmethod
    def current(cls, now: datetime.datetime | None = None) -> Banner | None:
        """The newest banner that has not expired, or None."""
        return cls.objects.filter(expires_at__gt=now or timezone.now()).first()

    @classmethod
    def shown(cls) -> Banner | None:
        """The banner for a page being rendered, without a query on most renders.

        Every page shows it, so each process keeps the unexpired banners for the
        page-cache generation (a banner saved or deleted starts a new one) and
        picks the newest still unexpired at each render.
        """
        waiting = for_generation(
            "banners", lambda: list(cls.objects.filter(expires_at__gt=timezone.now()))
        )
        now = timezone.now()
        return next((b for b in waiting if b.expires_at > now), None)


register_snippet(Banner)
