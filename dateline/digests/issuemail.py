"""The mail of an alert and of a written issue, beside the digest's (render.py).

Every kind ends in render.assemble: the same headers, placeholders and per-reader
splice, so the engine sends them all alike. An alert is one story; a written issue
is its blocks (blocks.IssueBody). Both are the same for every reader of the
newsletter: one group, rendered once per run.
"""

from __future__ import annotations

import html
import re
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from dateline.digests import engagement, render, storykinds
from dateline.digests.models import DigestIssue, WrittenIssue
from dateline.lib import mailhtml
from dateline.newsletter.models import Newsletter

Kind = DigestIssue.Kind
# A written issue's photos across the mail's width, sharp on high-density screens.
WIDE_PHOTO_SPEC = "width-1104|format-jpeg|jpegquality-70"
_HREF = re.compile(r'href="([^"]*)"')


def alert_subject(page: Page) -> str:
    """An alert's subject unless the editor wrote one: "Live: …" for a live blog."""
    kind = storykinds.kind_of(page)
    return f"{kind.label if kind else 'Breaking'}: {' '.join(page.title.split())}"


def alert_preheader(page: Page) -> str:
    return " ".join(getattr(page, "standfirst", "").split())


def _alert_context(issue: DigestIssue, stories: list[render.Story]) -> dict[str, Any] | None:
    if not stories:
        return None
    story = stories[0]
    return {
        "story": story,
        "story_ids": [story.article.pk],
        "subject": issue.subject or alert_subject(story.article),
        "preheader": issue.preheader or alert_preheader(story.article),
    }


def _linked_html(issue: DigestIssue, source: str) -> str:
    """Rich text as HTML with every link absolute and counted (render._link)."""

    def counted(match: re.Match[str]) -> str:
        url = render._absolute(html.unescape(match.group(1)))
        return f'href="{html.escape(render._link(issue, url))}"'

    return _HREF.sub(counted, expand_db_html(source))


def _as_text(rich: str) -> str:
    """Rich text's HTML for the plain part: links written out, one paragraph a block."""
    rich = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", rich, flags=re.S)
    rich = re.sub(r"<li[^>]*>", "- ", rich)
    rich = re.sub(r"</(p|li|h\d)>|<br\s*/?>", "\n", rich)
    return html.unescape(strip_tags(rich)).strip()


def story_card(issue: DigestIssue, page: Page) -> render.Story:
    """A story without its section (an alert's, a written issue's); ``page`` specific."""
    return render.story_for(issue, page)


def written_blocks(issue: DigestIssue, written: WrittenIssue) -> list[dict[str, Any]]:
    """The written issue's blocks as the templates show them; story cards of live stories."""
    blocks: list[dict[str, Any]] = []
    for block in written.body:
        value, kind = block.value, block.block_type
        if kind == "paragraph":
            linked = _linked_html(issue, value.source)
            # Wagtail's own rich text, its links rewritten above: nothing a reader typed.
            blocks.append({"type": kind, "html": SafeString(linked), "text": _as_text(linked)})  # nosec B703
        elif kind == "subhead":
            blocks.append({"type": kind, "text": value})
        elif kind == "story":
            article = value["story"]
            if article is None or not article.live:
                continue  # unpublished since: no card to a page readers cannot open
            card = story_card(issue, article.specific)
            blocks.append({"type": kind, "story": card, "note": value["note"]})
        elif kind == "photo":
            image = value["image"]
            rendition = image.get_rendition(WIDE_PHOTO_SPEC)
            blocks.append(
                {
                    "type": kind,
                    "url": render._absolute(rendition.url),
                    "alt": getattr(image, "alt", "") or value["caption"],
                    "caption": value["caption"],
                    "credit": getattr(image, "credit", ""),
                }
            )
        elif kind == "button":
            url = render._link(issue, render._absolute(value["url"]))
            blocks.append({"type": kind, "text": value["text"], "url": url})
    return blocks


def _written_context(issue: DigestIssue) -> dict[str, Any] | None:
    written = issue.written
    if written is None:
        return None
    blocks = written_blocks(issue, written)
    if not blocks:
        return None
    return {
        "written": written,
        "blocks": blocks,
        "story_ids": [b["story"].article.pk for b in blocks if b["type"] == "story"],
        "subject": issue.subject or written.subject,
        "preheader": issue.preheader or written.preheader,
    }


TEMPLATES = {Kind.ALERT: "digests/alert", Kind.EDITED: "digests/written"}


def _context(
    issue: DigestIssue, stories: list[render.Story], **extra: Any
) -> dict[str, Any] | None:
    made = _alert_context(issue, stories) if issue.kind == Kind.ALERT else _written_context(issue)
    if made is None:
        return None
    return {
        "publication_name": settings.PUBLICATION_NAME,
        "base_url": settings.BASE_URL,
        "issue": issue,
        "newsletter": issue.newsletter,
        "view_url": render.view_url(issue),
        **made,
        **extra,
    }


def render_group(
    issue: DigestIssue,
    stories: list[render.Story],
    section_ids: frozenset[int] | None,
    exclude: frozenset[int] = frozenset(),
) -> render.RenderedGroup | None:
    """The message of a group of readers of any kind; None when it has nothing to show.

    Alerts and written issues ignore the readers' sections: they go whole.
    """
    if issue.kind == Kind.DIGEST:
        return render.render_group(issue, stories, section_ids, exclude)
    context = _context(
        issue,
        stories,
        for_browser=False,
        manage_url=render.HTML_MANAGE,
        unsubscribe_url=render.HTML_UNSUBSCRIBE,
        address=render.HTML_ADDRESS,
        open_url=engagement.open_url(issue),
    )
    if context is None:
        return None
    template = TEMPLATES[Kind(issue.kind)]
    page = mailhtml.render(f"{template}.mjml", context)
    context.update(
        manage_url=render.TEXT_MANAGE,
        unsubscribe_url=render.TEXT_UNSUBSCRIBE,
        address=render.TEXT_ADDRESS,
    )
    text = render_to_string(f"{template}.txt", context)
    return render.assemble(issue, context["subject"], text, page, context["story_ids"])


def browser_html(issue: DigestIssue) -> str:
    """The 'view in browser' page of an issue of any kind; empty when it has nothing."""
    if issue.kind == Kind.DIGEST:
        return render.render_browser_html(issue)
    context = _context(
        issue,
        render.issue_stories(issue),
        for_browser=True,
        manage_url=f"{settings.BASE_URL}{reverse('newsletter:subscribe')}",
        unsubscribe_url="",
        address="",
    )
    if context is None:
        return ""
    # Counted links without a reader: the page is the same for everyone.
    page = mailhtml.render(f"{TEMPLATES[Kind(issue.kind)]}.mjml", context)
    return mailhtml.as_web_page(engagement.without_readers(page))


def unsaved_alert(subject: str, preheader: str) -> DigestIssue:
    """An alert as it would be made, unsaved: for previews and test sends."""
    return _unsaved(Kind.ALERT, Newsletter.alerts(), subject=subject, preheader=preheader)


def unsaved_written(written: WrittenIssue, subject: str, preheader: str) -> DigestIssue:
    return _unsaved(
        Kind.EDITED, written.newsletter, written=written, subject=subject, preheader=preheader
    )


def _unsaved(kind: str, newsletter: Newsletter, **fields: Any) -> DigestIssue:
    # pk 0: a view link and counted links can be made; none of them will ever work.
    now = timezone.now()
    return DigestIssue(
        pk=0,
        kind=kind,
        newsletter=newsletter,
        slot_at=now,
        period_start=now,
        period_end=now,
        **fields,
    )


def preview_group(issue: DigestIssue) -> render.RenderedGroup | None:
    """The message every reader of a non-digest issue gets (previews and test sends)."""
    return render_group(issue, render.issue_stories(issue), None)
