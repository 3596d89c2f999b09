"""Import comments from a Disqus XML export or a WordPress WXR export.

Both are parsed with defusedxml (an export is a file from elsewhere: no entity
expansion, no external entities), matched to our articles by the URL path of the
story they were on (then by its slug), and stored in one transaction: a file that
cannot be read changes nothing. Running an import twice adds nothing the second
time (each comment keeps its id at the source). What was left out is reported.

The exports hold HTML; it becomes our Markdown subset (links, quotes, emphasis and
code survive) and is then rendered and sanitised like any new comment.
"""

from __future__ import annotations

import datetime
import html
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dateline.comments.models import Comment, Commenter
from dateline.comments.render import render_markdown
from dateline.comments.signals import one_refresh
from dateline.newsletter.signup import InvalidAddress, normalise_address
from dateline.newsroom.models import ArticlePage

DISQUS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
WP = "{http://wordpress.org/export/1.2/}"
WP_11 = "{http://wordpress.org/export/1.1/}"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Progress = Callable[[int, int], None]


class ImportFailed(Exception):
    pass


@dataclass
class Incoming:
    """One comment as the export has it, before it is matched and stored."""

    source_id: str
    thread_key: str
    parent_id: str
    name: str
    email: str
    ip: str
    created_at: datetime.datetime
    html: str
    status: str


@dataclass
class ImportResult:
    read: int = 0
    imported: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)


def html_to_markdown(text: str) -> str:
    """The export's HTML as our Markdown subset; everything else becomes plain text."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
    text = re.sub(
        r'(?is)<a\b[^>]*?href\s*=\s*["\']([^"\']+)["\'][^>]*>(.*?)</a>',
        lambda m: f"[{m.group(2)}]({m.group(1)})",
        text,
    )
    text = re.sub(r"(?is)<br\s*/?>", "\n", text)
    text = re.sub(r"(?is)</p\s*>|<p\b[^>]*>", "\n\n", text)
    text = re.sub(r"(?is)</?(b|strong)\b[^>]*>", "**", text)
    text = re.sub(r"(?is)</?(i|em)\b[^>]*>", "*", text)
    text = re.sub(r"(?is)</?code\b[^>]*>", "`", text)
    text = re.sub(
        r"(?is)<blockquote\b[^>]*>(.*?)</blockquote>",
        lambda m: "\n\n" + "\n".join(f"> {line}" for line in m.group(1).strip().splitlines()),
        text,
    )
    text = re.sub(r"(?s)<[^>]+>", "", text)
    text = _CONTROL.sub("", html.unescape(text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _text(element: object, path: str) -> str:
    found = element.find(path)  # type: ignore[attr-defined]
    return (found.text or "").strip() if found is not None else ""


def _when(value: str) -> datetime.datetime:
    parsed = parse_datetime(value.replace(" ", "T")) if value else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def _parse(data: bytes, kind: str) -> object:
    try:
        return ElementTree.fromstring(data)
    except DefusedXmlException as error:
        raise ImportFailed(f"The file uses XML features we refuse to read ({error}).") from None
    except ElementTree.ParseError as error:
        raise ImportFailed(f"This is not a readable {kind} export: {error}.") from None


def read_disqus(data: bytes, result: ImportResult) -> tuple[list[Incoming], dict[str, str]]:
    root = _parse(data, "Disqus")
    if root.tag != f"{DISQUS}disqus":  # type: ignore[attr-defined]
        raise ImportFailed(
            f"This is not a Disqus export: its root element is {root.tag!r}, not 'disqus'."  # type: ignore[attr-defined]
        )
    threads = {
        t.get(DSQ_ID, ""): _text(t, f"{DISQUS}link")
        for t in root.findall(f"{DISQUS}thread")  # type: ignore[attr-defined]
    }
    incoming = []
    for post in root.findall(f"{DISQUS}post"):  # type: ignore[attr-defined]
        result.read += 1
        source_id = post.get(DSQ_ID, "") or _text(post, f"{DISQUS}id")
        if _text(post, f"{DISQUS}isDeleted") == "true":
            result.skipped.append(f"Disqus post {source_id}: deleted at Disqus")
            continue
        thread = post.find(f"{DISQUS}thread")
        parent = post.find(f"{DISQUS}parent")
        incoming.append(
            Incoming(
                source_id=source_id,
                thread_key=thread.get(DSQ_ID, "") if thread is not None else "",
                parent_id=parent.get(DSQ_ID, "") if parent is not None else "",
                name=_text(post, f"{DISQUS}author/{DISQUS}name"),
                email=_text(post, f"{DISQUS}author/{DISQUS}email"),
                ip=_text(post, f"{DISQUS}ipAddress"),
                created_at=_when(_text(post, f"{DISQUS}createdAt")),
                html=_text(post, f"{DISQUS}message"),
                status=(
                    Comment.Status.SPAM
                    if _text(post, f"{DISQUS}isSpam") == "true"
                    else Comment.Status.APPROVED
                ),
            )
        )
    return incoming, threads


WP_STATUS = {"1": Comment.Status.APPROVED, "0": Comment.Status.HELD, "spam": Comment.Status.SPAM}


def read_wordpress(data: bytes, result: ImportResult) -> tuple[list[Incoming], dict[str, str]]:
    root = _parse(data, "WordPress")
    channel = root.find("channel")  # type: ignore[attr-defined]
    if root.tag != "rss" or channel is None:  # type: ignore[attr-defined]
        raise ImportFailed("This is not a WordPress export (WXR): no <rss><channel> in it.")
    threads: dict[str, str] = {}
    incoming = []
    # WXR 1.1 (WordPress before 3.6) names its elements in its own namespace.
    wp = WP_11 if channel.find(f"{WP_11}wxr_version") is not None else WP
    for number, item in enumerate(channel.findall("item")):
        key = _text(item, f"{wp}post_id") or f"item-{number}"
        threads[key] = _text(item, "link")
        for comment in item.findall(f"{wp}comment"):
            result.read += 1
            source_id = _text(comment, f"{wp}comment_id")
            kind = _text(comment, f"{wp}comment_type")
            approved = _text(comment, f"{wp}comment_approved")
            if kind in ("pingback", "trackback"):
                result.skipped.append(f"WordPress comment {source_id}: a {kind}")
                continue
            if approved not in WP_STATUS:
                result.skipped.append(f"WordPress comment {source_id}: in the trash")
                continue
            parent = _text(comment, f"{wp}comment_parent")
            incoming.append(
                Incoming(
                    source_id=source_id,
                    thread_key=key,
                    parent_id="" if parent in ("", "0") else parent,
                    name=_text(comment, f"{wp}comment_author"),
                    email=_text(comment, f"{wp}comment_author_email"),
                    ip=_text(comment, f"{wp}comment_author_IP"),
                    created_at=_when(
                        _text(comment, f"{wp}comment_date_gmt")
                        or _text(comment, f"{wp}comment_date")
                    ),
                    html=_text(comment, f"{wp}comment_content"),
                    status=WP_STATUS[approved],
                )
            )
    return incoming, threads


def valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def find_article(link: str) -> ArticlePage | None:
    path = urlsplit(link).path if link else ""
    if not path:
        return None
    path = path if path.endswith("/") else path + "/"
    articles = ArticlePage.objects.filter(url_path__endswith=path)
    found = articles.first()
    if found is None:
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        found = ArticlePage.objects.filter(slug=slug).first() if slug else None
    return found


def known_commenters(incoming: list[Incoming]) -> dict[str, Commenter]:
    emails = set()
    for item in incoming:
        if not item.email:
            continue
        try:
            emails.add(normalise_address(item.email))
        except InvalidAddress:
            continue
    found: dict[str, Commenter] = {}
    wanted = sorted(emails)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update((c.email, c) for c in Commenter.objects.filter(email__in=chunk))
    return found


def import_comments(
    data: bytes,
    source: str,
    progress: Progress | None = None,
    articles: Mapping[str, ArticlePage] | None = None,
) -> ImportResult:
    """``source`` is "disqus" or "wordpress".

    ``articles``, from a whole-site import, says which article each thread (a
    WordPress post id) became; without it, threads are matched by URL then slug.
    """
    result = ImportResult()
    reader = {"disqus": read_disqus, "wordpress": read_wordpress}.get(source)
    if reader is None:
        raise ImportFailed(f"Unknown export kind {source!r}: use disqus or wordpress.")
    incoming, threads = reader(data, result)
    by_id = {c.source_id: c for c in incoming}
    existing = set(
        Comment.objects.filter(import_source=source, import_id__in=list(by_id)).values_list(
            "import_id", flat=True
        )
    )
    found_by_link: dict[str, ArticlePage | None] = {}
    imported = articles

    def depth_of(item: Incoming) -> int:
        depth, seen, current = 0, {item.source_id}, item
        while current.parent_id in by_id and current.parent_id not in seen:
            seen.add(current.parent_id)
            current = by_id[current.parent_id]
            depth += 1
        return depth

    # Parents before replies, whatever order the file has them in.
    ordered = sorted(incoming, key=lambda c: (depth_of(c), c.created_at))
    stored: dict[str, Comment] = {}
    # Who has commented before, read once: no look-up and savepoint per comment, as
    # get_or_create would make (30,000 comments, 90,000 queries).
    commenters = known_commenters(incoming)
    total = len(ordered)
    with transaction.atomic(), one_refresh():
        for done, item in enumerate(ordered, start=1):
            if progress:
                progress(done, total)
            label = (
                f"{'Disqus post' if source == 'disqus' else 'WordPress comment'} {item.source_id}"
            )
            if item.source_id in existing:
                result.already += 1
                continue
            link = threads.get(item.thread_key, "")
            if imported is not None and item.thread_key in imported:
                article: ArticlePage | None = imported[item.thread_key]
            else:
                if link not in found_by_link:
                    found_by_link[link] = find_article(link)
                article = found_by_link[link]
            if article is None:
                result.skipped.append(f"{label}: no article matches {link or 'its thread'}")
                continue
            body = html_to_markdown(item.html)
            if not body:
                result.skipped.append(f"{label}: empty")
                continue
            parent = stored.get(item.parent_id) if item.parent_id else None
            if item.parent_id and parent is None:
                existing_parent = Comment.objects.filter(
                    import_source=source, import_id=item.parent_id
                ).first()
                parent = existing_parent
            if item.parent_id and parent is None:
                result.skipped.append(f"{label}: its parent was not imported")
                continue
            if parent is not None and parent.article_id != article.pk:
                result.skipped.append(f"{label}: its parent is on another article")
                continue
            while parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH - 1:
                parent = parent.parent
            commenter = None
            if item.email:
                try:
                    email = normalise_address(item.email)
                except InvalidAddress:
                    email = ""
                if email and email not in commenters:
                    commenters[email] = Commenter.objects.create(email=email)
                commenter = commenters.get(email)
            comment = Comment.objects.create(
                article=article,
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                thread_id=parent.thread_id if parent else None,
                commenter=commenter,
                name=(" ".join(_CONTROL.sub("", item.name).split()) or "Anonymous")[:80],
                body=body,
                body_html=render_markdown(body),
                status=item.status,
                hold_reason="imported as held" if item.status == Comment.Status.HELD else "",
                ip=valid_ip(item.ip),
                created_at=item.created_at,
                import_source=source,
                import_id=item.source_id[:100],
            )
            if parent is None:
                Comment.objects.filter(pk=comment.pk).update(thread_id=comment.pk)
                comment.thread_id = comment.pk
            stored[item.source_id] = comment
            result.imported += 1
            result.by_status[item.status] = result.by_status.get(item.status, 0) + 1
    return result
