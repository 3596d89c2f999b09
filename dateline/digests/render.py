"""Rendering a digest once per group of readers, then per reader only by splicing bytes.

A group is the readers of one issue who get the same stories: the same chosen
sections and the same stories already received in earlier issues. For each
group the message is built once (MJML compiled once, the templates, MIME encoding) into
bytes holding ASCII placeholders such as ``@@DLTO@@``; sending to one reader
is then a join of the pre-encoded chunks with that reader's values (address,
links, Message-ID). Both body parts are quoted-printable, encoded by us segment
by segment around the placeholders, so a soft line break can never split one,
and the values spliced in are encoded the same way.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import quoprimime
from email.policy import SMTP
from email.utils import formataddr, formatdate, parseaddr
from typing import Any, Protocol

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.models import Page

from dateline.digests import clicks, engagement, richmail, smtp, storykinds
from dateline.digests.models import DigestIssue, DigestStory
from dateline.lib import mailhtml
from dateline.newsletter import tokens
from dateline.newsroom.models import SectionPage

PHOTO_SPEC = "fill-560x315|format-jpeg|jpegquality-70"
PLACEHOLDER = re.compile(rb"(@@DL[A-Z]+@@)")
VIEW_SALT = "dateline.digests.view"


def _ph(name: str) -> str:
    return f"@@DL{name}@@"


# Per-reader values: in headers, in the HTML part and in the text part.
TO, MESSAGE_ID, LIST_UNSUBSCRIBE = _ph("TO"), _ph("MSGID"), _ph("LISTUNSUB")
HTML_MANAGE, HTML_UNSUBSCRIBE, HTML_ADDRESS = _ph("HMANAGE"), _ph("HUNSUB"), _ph("HADDR")
TEXT_MANAGE, TEXT_UNSUBSCRIBE, TEXT_ADDRESS = _ph("TMANAGE"), _ph("TUNSUB"), _ph("TADDR")
# The same as the bytes that RenderedGroup.chunks hold.
_TO, _MESSAGE_ID, _LIST_UNSUBSCRIBE = (x.encode() for x in (TO, MESSAGE_ID, LIST_UNSUBSCRIBE))
_HTML_MANAGE, _HTML_UNSUBSCRIBE, _HTML_ADDRESS = (
    x.encode() for x in (HTML_MANAGE, HTML_UNSUBSCRIBE, HTML_ADDRESS)
)
_TEXT_MANAGE, _TEXT_UNSUBSCRIBE, _TEXT_ADDRESS = (
    x.encode() for x in (TEXT_MANAGE, TEXT_UNSUBSCRIBE, TEXT_ADDRESS)
)
# After counted links, in both parts, only with reader engagement on (engagement.py).
_READER = engagement.READER.encode()


def mail_domain() -> str:
    """Where Message-IDs and bounce addresses live: the bounce domain, else MAIL_DOMAIN."""
    configured = getattr(settings, "NEWSLETTER_BOUNCE_DOMAIN", "")
    if configured:
        return str(configured)
    return str(settings.MAIL_DOMAIN)


class Recipient(Protocol):
    """What a reader's message needs of its delivery: a Delivery, or engine.claims.Claimed."""

    @property
    def issue_id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def token(self) -> str: ...


# ``domain``: mail_domain() when the caller has it already (the engine reads it once a run).


def return_path(delivery: Recipient, domain: str = "") -> str:
    """The envelope sender: an opaque per-delivery token, never the reader's address."""
    return f"bounce+{delivery.token}@{domain or mail_domain()}"


def message_id(delivery: Recipient, domain: str = "") -> str:
    return f"<{delivery.issue_id}.{delivery.token}@{domain or mail_domain()}>"


def view_token(issue: DigestIssue) -> str:
    return signing.Signer(salt=VIEW_SALT).sign(str(issue.pk)).split(":", 1)[1]


def view_url(issue: DigestIssue) -> str:
    path = reverse("digests:view", args=[issue.pk, view_token(issue)])
    return f"{settings.BASE_URL}{path}"


def check_view_token(issue_id: int, token: str) -> bool:
    try:
        signing.Signer(salt=VIEW_SALT).unsign(f"{issue_id}:{token}")
    except signing.BadSignature:
        return False
    return True


def _absolute(url: str) -> str:
    return url if "://" in url else f"{settings.BASE_URL}{url}"


def _link(issue: DigestIssue, url: str, story_id: int | None = None) -> str:
    """A link in the mail, counted when NEWSLETTER_CLICK_TRACKING is on (clicks.py)."""
    if settings.NEWSLETTER_CLICK_TRACKING:
        return clicks.click_url(issue.pk, url, story_id) + engagement.click_suffix()
    return url


@dataclass
class Story:
    # The story page as its own type: an ArticlePage, or a kind storykinds registers.
    article: Page
    section_id: int | None
    section_title: str
    url: str
    photo_url: str = ""
    photo_alt: str = ""
    photo_credit: str = ""
    # A registered kind's word ("Live") and link text; an article has none and the default.
    label: str = ""
    action: str = "Read the story"


def story_for(issue: DigestIssue, page: Page, section: SectionPage | None = None) -> Story:
    """One story of the mail from its specific page; a photo or a credit only when it has one."""
    kind = storykinds.kind_of(page)
    story = Story(
        article=page,
        section_id=section.pk if section else None,
        section_title=section.title if section else "",
        url=_link(issue, _absolute(page.get_url() or ""), page.pk),
    )
    if kind is not None:
        story.label, story.action = kind.label, kind.action
    image = getattr(page, "lead_image", None)
    if image is not None:
        rendition = image.get_rendition(PHOTO_SPEC)
        story.photo_url = _absolute(rendition.url)
        story.photo_alt = getattr(image, "alt", "")
        story.photo_credit = getattr(page, "photo_credit", "") or ""
    return story


def issue_stories(issue: DigestIssue) -> list[Story]:
    """The issue's stories in order, with their section and a small photo rendition.

    Once per issue (the engine caches it for every group): the entries, then the pages
    as their own types (one query per type, storykinds.specific_pages), then sections.
    """
    entries = list(
        DigestStory.objects.filter(issue=issue, dropped=False)
        .select_related("article")
        .order_by("position")
    )
    pages = storykinds.specific_pages(e.article for e in entries)
    parents = {e.article.path[: -e.article.steplen] for e in entries}
    sections = {s.path: s for s in SectionPage.objects.filter(path__in=parents)}
    stories = []
    for entry in entries:
        page = pages.get(entry.article_id, entry.article)
        stories.append(story_for(issue, page, sections.get(page.path[: -page.steplen])))
    return stories


def stories_for(
    stories: Iterable[Story], section_ids: frozenset[int] | None, exclude: frozenset[int]
) -> list[Story]:
    return [
        s
        for s in stories
        if (section_ids is None or s.section_id in section_ids) and s.article.pk not in exclude
    ]


def default_words(stories: list[Story]) -> tuple[str, str]:
    """The subject and preheader when the editor wrote none: the top story's headline,
    and its standfirst with how many more stories follow."""
    top = stories[0].article
    more = len(stories) - 1
    preheader = getattr(top, "standfirst", "")
    if more:
        preheader += f" And {more} more {'story' if more == 1 else 'stories'}."
    return " ".join(top.title.split()), preheader


def _context(issue: DigestIssue, stories: list[Story], **extra: Any) -> dict[str, Any]:
    subject, preheader = default_words(stories)

    def link(url: str) -> str:
        return _link(issue, _absolute(url))

    return {
        "publication_name": settings.PUBLICATION_NAME,
        "base_url": settings.BASE_URL,
        "issue": issue,
        "stories": stories,
        "top": stories[0],
        # What the editor wrote wins; empty means the default.
        "subject": " ".join(issue.subject.split()) or subject,
        "preheader": issue.preheader.strip() or preheader,
        "intro_html": richmail.mail_html(issue.intro, link),
        "intro_text": richmail.mail_text(issue.intro, link),
        "view_url": view_url(issue),
        **extra,
    }


def render_browser_html(issue: DigestIssue) -> str:
    """The 'view in browser' page: every section, no reader's links in it."""
    stories = issue_stories(issue)
    if not stories:
        return ""
    context = _context(
        issue,
        stories,
        for_browser=True,
        manage_url=f"{settings.BASE_URL}{reverse('newsletter:subscribe')}",
        unsubscribe_url="",
        address="",
    )
    page = mailhtml.render("digests/email.mjml", context)
    return mailhtml.as_web_page(engagement.without_readers(page))


def _qp(text: str) -> bytes:
    """Quoted-printable, leaving the placeholders whole and where they were."""
    out = []
    for i, piece in enumerate(PLACEHOLDER.split(text.encode("utf-8"))):
        if i % 2:
            out.append(piece)
        elif piece:
            encoded = quoprimime.body_encode(piece.decode("latin-1"), maxlinelen=76, eol="\r\n")
            out.append(encoded.encode("ascii"))
    return b"".join(out)


# What quoted-printable leaves as it is (RFC 2045 6.7): printable ASCII but "=".
_QP_PLAIN = re.compile(r"[!-<>-~]+")


def _qp_value(value: str) -> bytes:
    if len(value) < 998 and _QP_PLAIN.fullmatch(value):
        return value.encode("ascii")  # addresses and links, nearly always: nothing to encode
    # body_encode escapes one character per byte: hand it the UTF-8 bytes as latin-1.
    latin = value.encode("utf-8").decode("latin-1")
    return quoprimime.body_encode(latin, maxlinelen=998, eol="\r\n").encode("ascii")


# What html.escape changes.
_HTML_SPECIAL = re.compile(r"[&<>\"']")


def _html_value(value: str, text: bytes) -> bytes:
    """_qp_value of ``value`` escaped for HTML; ``text``: its _qp_value as it is.

    Links and addresses nearly never hold a character HTML escapes: then both are one.
    """
    if _HTML_SPECIAL.search(value) is None:
        return text
    return _qp_value(html.escape(value))


def _header(name: str, value: str) -> bytes:
    # Through the header's own class: SMTP.fold() leaves a short value as it is, and a
    # non-ASCII one ("Le Café" in From or a subject) must become RFC 2047 encoded words.
    folded = SMTP.header_factory(name, value).fold(policy=SMTP)
    if folded.count("\r\n") > 1:
        # Python folds a value that fits one line whole onto the next, leaving "Subject:"
        # empty, and keeps a space before a fold into encoded words: readers (Python's
        # parser among them) then show " Breaking: …" or two spaces.
        folded = _refold(name, folded.removeprefix(f"{name}:"))
    return folded.encode("ascii")


LINE = 78  # RFC 5322 2.1.1: a line SHOULD be no longer than this


def _refold(name: str, value: str) -> str:
    """The folded ``value`` again from the header's own line, breaking at its spaces."""
    words = " ".join(line.strip() for line in value.split("\r\n") if line.strip()).split(" ")
    lines = [f"{name}:"]
    for word in words:
        if lines[-1] == f"{name}:" or len(lines[-1]) + 1 + len(word) <= LINE:
            lines[-1] += " " + word
        else:
            lines.append(" " + word)
    return "\r\n".join(lines) + "\r\n"


@dataclass
class RenderedGroup:
    subject: str
    text: str
    html: str
    story_ids: list[int]
    chunks: list[bytes] = field(default_factory=list)
    # The same, dot-stuffed for SMTP DATA (payload_for), made on first use.
    _stuffed_chunks: list[bytes] | None = field(default=None, repr=False, compare=False)

    def message_for(
        self,
        delivery: Recipient,
        subscriber: tokens.KeyHolder,
        links: tokens.Links | None = None,
        domain: str = "",
    ) -> bytes:
        """The whole message for one reader, as bytes ready for SMTP DATA.

        ``links`` and ``domain``: made once by a caller sending many (the engine).
        """
        parts = self.chunks.copy()
        parts[1::2] = self._values(parts[1::2], delivery, subscriber, links, domain)
        return b"".join(parts)

    def payload_for(
        self, delivery: Recipient, subscriber: tokens.KeyHolder, links: tokens.Links, domain: str
    ) -> bytes:
        """message_for's bytes as SMTP DATA sends them: dot-stuffed and ended with ".".

        The fixed chunks are stuffed once per group instead of the whole message once per
        reader (the engine's largest cost a message after the network). That is right when
        no line can start at or inside a reader's value: each value is one non-empty piece
        of a line not starting with a dot. One that is not (a long quoted-printable value,
        wrapped) sends the message stuffed whole, with smtp.stuffed.
        """
        if self._stuffed_chunks is None:
            self._stuffed_chunks = smtp.stuffed_chunks(self.chunks)
        parts = self._stuffed_chunks.copy()
        values = self._values(parts[1::2], delivery, subscriber, links, domain)
        # The values side by side, each after a NUL (never in a value): one scan each for
        # a line break, a value starting with a dot and an empty value.
        probe = b"\0" + b"\0".join(values) + b"\0"
        if b"\n" in probe or b"\r" in probe or b"\0." in probe or b"\0\0" in probe:
            return smtp.stuffed(self.message_for(delivery, subscriber, links, domain))
        parts[1::2] = values
        return b"".join(parts)

    @staticmethod
    def _values(
        names: list[bytes],
        delivery: Recipient,
        subscriber: tokens.KeyHolder,
        links: tokens.Links | None,
        domain: str,
    ) -> list[bytes]:
        links = links or tokens.Links.from_settings()
        token = links.manage_token(subscriber)  # one HMAC for the four links
        manage, unsubscribe = links.manage_url(token), links.unsubscribe_url(token)
        list_unsubscribe = links.list_unsubscribe(token)
        email = delivery.email
        text_manage, text_unsubscribe, text_address = map(_qp_value, (manage, unsubscribe, email))
        values = {
            _TO: email.encode("ascii", "strict"),
            _MESSAGE_ID: message_id(delivery, domain).encode("ascii"),
            _LIST_UNSUBSCRIBE: list_unsubscribe.encode("ascii"),
            _HTML_MANAGE: _html_value(manage, text_manage),
            _HTML_UNSUBSCRIBE: _html_value(unsubscribe, text_unsubscribe),
            _HTML_ADDRESS: _html_value(email, text_address),
            _TEXT_MANAGE: text_manage,
            _TEXT_UNSUBSCRIBE: text_unsubscribe,
            _TEXT_ADDRESS: text_address,
        }
        if _READER in names:  # only in mail rendered with reader engagement on
            values[_READER] = engagement.reader_value(delivery.token)
        # Chunks alternate: fixed bytes, a placeholder's name, fixed bytes, …
        return [values[name] for name in names]


def render_group(
    issue: DigestIssue,
    stories: list[Story],
    section_ids: frozenset[int] | None,
    exclude: frozenset[int] = frozenset(),
) -> RenderedGroup | None:
    """The message for one group of readers, or None when it would have no story."""
    chosen = stories_for(stories, section_ids, exclude)
    if not chosen:
        return None
    context = _context(
        issue,
        chosen,
        for_browser=False,
        manage_url=HTML_MANAGE,
        unsubscribe_url=HTML_UNSUBSCRIBE,
        address=HTML_ADDRESS,
        open_url=engagement.open_url(issue),
    )
    page = mailhtml.render("digests/email.mjml", context)
    context.update(manage_url=TEXT_MANAGE, unsubscribe_url=TEXT_UNSUBSCRIBE, address=TEXT_ADDRESS)
    text = render_to_string("digests/email.txt", context)
    return assemble(issue, context["subject"], text, page, [s.article.pk for s in chosen])


def sender(issue: DigestIssue) -> str:
    """From: the newsletter's sender name at DEFAULT_FROM_EMAIL's address."""
    return formataddr((issue.newsletter.from_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def list_id(issue: DigestIssue, domain: str) -> str:
    """RFC 2919 List-Id: one list per newsletter (and per cadence of the digest)."""
    newsletter = issue.newsletter
    name = f"{settings.PUBLICATION_NAME}: {newsletter.name}"
    if issue.kind == DigestIssue.Kind.DIGEST and issue.cadence:
        return f"{name} <{issue.cadence}.{newsletter.slug}.{domain}>"
    return f"{name} <{newsletter.slug}.{domain}>"


def assemble(
    issue: DigestIssue, subject: str, text: str, page: str, story_ids: list[int]
) -> RenderedGroup:
    """A group's message of any kind from its subject and parts, with the placeholders."""
    domain = mail_domain()
    boundary = f"=_dateline_{secrets.token_hex(12)}"
    reply_to = getattr(settings, "NEWSLETTER_REPLY_TO", "") or settings.DEFAULT_FROM_EMAIL
    head = b"".join(
        [
            _header("From", sender(issue)),
            _header("Reply-To", reply_to),
            f"To: {TO}\r\n".encode(),
            _header("Subject", subject),
            # TIME_ZONE's offset, as Django's own mail has it (EMAIL_USE_LOCALTIME).
            _header("Date", formatdate(localtime=True)),
            f"Message-ID: {MESSAGE_ID}\r\n".encode(),
            _header("List-Id", list_id(issue, domain)),
            f"List-Unsubscribe: {LIST_UNSUBSCRIBE}\r\n".encode(),
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
            b"Precedence: bulk\r\n",
            b"MIME-Version: 1.0\r\n",
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode(),
            b"\r\n",
        ]
    )
    part_head = (
        "--{b}\r\nContent-Type: text/{t}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    body = b"".join(
        [
            part_head.format(b=boundary, t="plain").encode(),
            _qp(text.replace("\r\n", "\n")),
            b"\r\n",
            part_head.format(b=boundary, t="html").encode(),
            _qp(page.replace("\r\n", "\n")),
            b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
    )
    return RenderedGroup(
        subject=subject,
        text=text,
        html=page,
        story_ids=story_ids,
        chunks=PLACEHOLDER.split(head + body),
    )
