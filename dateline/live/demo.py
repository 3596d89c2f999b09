"""The demo's live blog: the Halvik floods, followed post by post over the last few hours.

``load`` adds it under World News once the newsroom demo has made its sections and
staff, so a newcomer sees a live blog (key points, key events, a pinned post, a post
with its source) and can post to it from the admin at /admin/live/<id>/. It is live
from a few hours ago with no end, so the page keeps polling for new posts. Every
person, place and quote here is invented, as in the rest of the demo.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from dateline.live.models import LiveBlogAuthor, LiveBlogPage, LivePost, LivePostSource
from dateline.newsroom.models import ArticlePage, Author, SectionPage

SLUG = "halvik-floods-live"
TITLE = "Halvik floods: boil-water advice as the Rhenna keeps rising"
SECTION_SLUG = "world-news"
# The story the newsroom demo writes about the same floods: the live blog borrows its photo.
RELATED_HEADLINE = "Halvik residents told to boil water after floods swamp treatment plant"
AUTHORS = ("Ines Vahl", "Mara Velt")


@dataclass(frozen=True)
class DemoPost:
    minutes_ago: int
    author: str
    paragraphs: tuple[str, ...] = ()
    quote: tuple[str, str, str] | None = None  # text, speaker, role
    key_event: bool = False
    pinned: bool = False
    source: str = ""  # the outlet that reported it first


POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        230,
        "Ines Vahl",
        (
            "Good morning. The Rhenna rose another 40 centimetres overnight and is now at "
            "its highest level since records began at the Halvik gauge in 1962. We will "
            "follow the floods here through the day.",
        ),
    ),
    DemoPost(
        215,
        "Ines Vahl",
        (
            "Halvik Water says the treatment plant on the east bank took in flood water "
            "shortly after 4 am, and that it cannot yet promise the tap water is safe.",
        ),
        key_event=True,
    ),
    DemoPost(
        200,
        "Mara Velt",
        (
            "<b>What to do if you live in Halvik:</b> boil tap water for at least one minute "
            "before drinking it, brushing teeth or making baby food. Showering and washing "
            "clothes are fine. Bottled water is handed out at six points across the city, "
            "including the central library and the Rhenna Street sports hall.",
        ),
        pinned=True,
    ),
    DemoPost(
        185,
        "Ines Vahl",
        (),
        quote=(
            "There is no sign that anyone has been made ill. We are asking people to boil "
            "water as a precaution while we test every part of the network.",
            "Pieter Hollis",
            "chief engineer at Halvik Water",
        ),
    ),
    DemoPost(
        170,
        "Mara Velt",
        (
            "The queue at the library distribution point stretches round the block. "
            "Volunteers from the rowing club are carrying crates to people who cannot wait "
            "in line.",
        ),
    ),
    DemoPost(
        150,
        "Ines Vahl",
        (
            "Schools stay open today but will serve bottled water only, the city's education "
            "office says. Two nurseries in the low-lying Veldhaven district have closed.",
        ),
        source="The Halvik Courier",
    ),
    DemoPost(
        130,
        "Mara Velt",
        (
            "Trains between Halvik and Grensby are running on one track after water reached "
            "the embankment near Oster Bridge. Expect delays of about half an hour.",
        ),
    ),
    DemoPost(
        110,
        "Ines Vahl",
        (
            "The city council has called an emergency meeting for this afternoon. The "
            "upgrade of the treatment plant, postponed last year to save money, is expected "
            "to be the first item.",
        ),
        key_event=True,
    ),
    DemoPost(
        90,
        "Mara Velt",
        (
            "In Veldhaven, firefighters are pumping water out of basements street by street. "
            "Residents say the water came up through the drains before the river broke its "
            "banks.",
        ),
    ),
    DemoPost(
        70,
        "Ines Vahl",
        (
            "The weather service has lifted its red rain warning for the Rhenna valley. "
            "Showers are still forecast, but nothing like last night's downpour.",
        ),
    ),
    DemoPost(
        50,
        "Mara Velt",
        (),
        quote=(
            "We moved everything upstairs at midnight. The garden is a lake, but the house "
            "is dry, and the neighbours have been wonderful.",
            "Lotte Aarsen",
            "a Veldhaven resident",
        ),
    ),
    DemoPost(
        30,
        "Ines Vahl",
        (
            "Halvik Water says the first samples from the network came back clean. It will "
            "keep the boil-water advice in place until every district has been tested, "
            "which could take until the weekend.",
        ),
        key_event=True,
    ),
    DemoPost(
        10,
        "Mara Velt",
        (
            "The river gauge at Oster Bridge shows the Rhenna falling for the first time "
            "since Tuesday, by four centimetres in the last hour.",
        ),
    ),
)


def _body(post: DemoPost) -> list[dict[str, object]]:
    blocks: list[dict[str, object]] = [
        {"type": "paragraph", "value": f"<p>{text}</p>"} for text in post.paragraphs
    ]
    if post.quote:
        text, speaker, role = post.quote
        blocks.append({"type": "quote", "value": {"text": text, "speaker": speaker, "role": role}})
    return blocks


def load(now: datetime.datetime | None = None) -> LiveBlogPage | None:
    """Add the demo live blog and its posts; None when there is no World News to hold it.

    Does nothing (and returns the blog) when it exists already.
    """
    existing = LiveBlogPage.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    section = SectionPage.objects.filter(slug=SECTION_SLUG).first()
    if section is None:
        return None
    now = now or timezone.now()
    staff = {a.name: a for a in Author.objects.filter(name__in=AUTHORS)}
    related = ArticlePage.objects.filter(title=RELATED_HEADLINE).first()
    blog = LiveBlogPage(
        title=TITLE,
        slug=SLUG,
        standfirst="Halvik's water company tells 180,000 households to boil their tap water "
        "after the river flooded its treatment plant. Updates as they come in.",
        key_points=(
            "<ul><li>Boil tap water before drinking it in all of Halvik until further "
            "notice</li><li>Bottled water at six distribution points, including the central "
            "library</li><li>The Rhenna is falling again after a record night</li></ul>"
        ),
        lead_image=related.lead_image if related is not None else None,
        live_from=now - datetime.timedelta(hours=4),
        live_until=None,
    )
    for order, name in enumerate(AUTHORS):
        if name in staff:
            blog.live_authors.add(LiveBlogAuthor(author=staff[name], sort_order=order))
    section.add_child(instance=blog)
    revision = blog.save_revision()
    revision.publish()
    blog.refresh_from_db()
    LiveBlogPage.objects.filter(pk=blog.pk).update(
        first_published_at=blog.live_from, last_published_at=blog.live_from
    )
    for spec in POSTS:
        post = LivePost.objects.create(
            blog=blog,
            posted_at=now - datetime.timedelta(minutes=spec.minutes_ago),
            author=staff.get(spec.author),
            body=_body(spec),
            key_event=spec.key_event,
            pinned=spec.pinned,
        )
        if spec.source:
            LivePostSource.objects.create(
                post=post, outlet=spec.source, outlet_short="Courier", outlet_takes_the=False
            )
    return blog
