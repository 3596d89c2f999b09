"""Read the development outbox in the browser: list, message, HTML part, .eml, JSON.

The HTML part of a mail is untrusted markup (it may quote reader input), so it is
never written into the outbox's own pages. It is served on its own URL under a
Content-Security-Policy that sandboxes it and forbids scripts, and shown in a
sandboxed iframe: two locks, each enough on its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from dateline.outbox.models import OutboxMessage

MESSAGES_PER_PAGE = 50

# The outbox's own pages run no script at all; the only frame they embed is the
# HTML part from this origin.
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# `sandbox` gives the mail an opaque origin even when its URL is opened directly,
# so it can never read the developer's session. Popups may escape the sandbox so a
# confirmation link clicked in the mail opens as an ordinary page in a new tab.
MAIL_HTML_CSP = (
    "sandbox allow-popups allow-popups-to-escape-sandbox; "
    "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
MAIL_IFRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"

_URL_RE = re.compile(r"https?://[^\s<>\"'`]+")
_HREF_RE = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# Where a <base> may go, best first.
_BASE_ANCHORS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (r"<head\b[^>]*>", r"<html\b[^>]*>", r"<!doctype\b[^>]*>")
)


def dev_outbox_only(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Answer 404 unless the outbox is on, and keep every answer out of all caches.

    urls.py is only included when DEV_OUTBOX is on, but that is decided at import
    time; checking again per request keeps a settings change from exposing mail.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.DEV_OUTBOX:
            raise Http404("The development outbox is switched off.")
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = PAGE_CSP
        return response

    return wrapped


@dataclass
class Attachment:
    index: int
    filename: str
    content_type: str
    size: int


@dataclass
class ReadMail:
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None
    attachments: list[Attachment] = field(default_factory=list)


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        # An unknown or lying charset should still show something readable.
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return str(content)


def _leaf_parts(message: EmailMessage) -> Iterator[EmailMessage]:
    for part in message.walk():
        if not part.is_multipart():
            yield part


def _body_parts(message: EmailMessage) -> tuple[EmailMessage | None, EmailMessage | None]:
    text = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return text, html_part  # type: ignore[return-value]


def read_mail(message: EmailMessage) -> ReadMail:
    text_part, html_part = _body_parts(message)
    bodies = {id(part) for part in (text_part, html_part) if part is not None}
    attachments = []
    # Every other leaf (files, inline images, calendar invites) is an attachment;
    # its index in walk order is what the download URL names.
    for index, part in enumerate(_leaf_parts(message)):
        if id(part) in bodies:
            continue
        payload = part.get_payload(decode=True)
        attachments.append(
            Attachment(
                index=index,
                filename=part.get_filename() or f"part-{index}",
                content_type=part.get_content_type(),
                size=len(payload) if isinstance(payload, bytes) else 0,
            )
        )
    return ReadMail(
        headers=[(name, str(value)) for name, value in message.items()],
        text=_part_text(text_part) if text_part is not None else None,
        html=_part_text(html_part) if html_part is not None else None,
        attachments=attachments,
    )


def find_links(text: str | None, html_body: str | None) -> list[str]:
    """Every http(s) link in the mail, text part first, without repeats."""
    links: list[str] = []
    for found in _URL_RE.findall(text or ""):
        # Trailing punctuation belongs to the sentence: "Confirm at https://….".
        links.append(found.rstrip(".,;:!?)]}"))
    for double, single in _HREF_RE.findall(html_body or ""):
        href = html.unescape(double or single).strip()
        if href.startswith(("http://", "https://")):
            links.append(href)
    return list(dict.fromkeys(links))


def _links_open_in_new_tab(html_body: str) -> str:
    # A link followed inside the iframe would land on a page that refuses to be
    # framed; a <base target> sends it to a new tab instead. It goes after <head>
    # (or <html>, or the doctype) because anything before the doctype would drop
    # the mail into quirks mode and change how it looks.
    tag = '<base target="_blank">'
    for anchor in _BASE_ANCHORS:
        if match := anchor.search(html_body):
            return html_body[: match.end()] + tag + html_body[match.end() :]
    return tag + html_body


def _download(filename: str) -> str:
    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


@dev_outbox_only
@require_safe
def message_list(request: HttpRequest) -> HttpResponse:
    messages = OutboxMessage.objects.defer("raw")
    page = Paginator(messages, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "outbox/message_list.html", {"page": page})


@dev_outbox_only
@require_safe
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stored = get_object_or_404(OutboxMessage, pk=pk)
    return render(
        request,
        "outbox/message_detail.html",
        {
            "message": stored,
            "mail": read_mail(stored.parsed()),
            "iframe_sandbox": MAIL_IFRAME_SANDBOX,
        },
    )


@dev_outbox_only
@xframe_options_sameorigin
@require_safe
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    mail = read_mail(get_object_or_404(OutboxMessage, pk=pk).parsed())
    if mail.html is None:
        raise Http404("This message has no HTML part.")
    response = HttpResponse(
        _links_open_in_new_tab(mail.html), content_type="text/html; charset=utf-8"
    )
    response["Content-Security-Policy"] = MAIL_HTML_CSP
    # Remote images in the mail should not learn the outbox URL they were shown at.
    response["Referrer-Policy"] = "no-referrer"
    return response


@dev_outbox_only
@require_safe
def message_raw(request: HttpRequest, pk: int) -> HttpResponse:
    stored = get_object_or_404(OutboxMessage, pk=pk)
    response = HttpResponse(bytes(stored.raw), content_type="message/rfc822")
    response["Content-Disposition"] = _download(f"outbox-{stored.pk}.eml")
    return response


@dev_outbox_only
@require_safe
def message_attachment(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk).parsed()
    found = next((a for a in read_mail(message).attachments if a.index == index), None)
    if found is None:
        raise Http404("No such attachment.")
    part = list(_leaf_parts(message))[index]
    payload = part.get_payload(decode=True)
    # Always a download, never rendered: an attached .html or .svg would otherwise
    # run on this origin.
    response = HttpResponse(
        payload if isinstance(payload, bytes) else b"", content_type="application/octet-stream"
    )
    response["Content-Disposition"] = _download(found.filename)
    return response


@dev_outbox_only
@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    OutboxMessage.objects.all().delete()
    return redirect("outbox:list")


@dev_outbox_only
@require_safe
def latest_json(request: HttpRequest) -> JsonResponse:
    """The newest message, for ?to=<address> if given: browser tests read mail here."""
    found: OutboxMessage | None
    if "to" in request.GET:
        wanted = parseaddr(request.GET["to"])[1].strip().lower()
        if not wanted:
            return JsonResponse({"error": "?to= must be an email address."}, status=400)
        # The database narrows by substring; exact address matching happens here,
        # so bob@example.com is not answered with mail for notbob@example.com.
        candidates = OutboxMessage.objects.filter(to__icontains=wanted).only("id", "to")
        found = next(
            (
                row
                for row in candidates.iterator()
                if wanted in {a.lower() for a in row.recipient_addresses()}
            ),
            None,
        )
    else:
        found = OutboxMessage.objects.defer("raw").first()
    if found is None:
        return JsonResponse({"error": "No message found."}, status=404)
    stored = OutboxMessage.objects.get(pk=found.pk)
    mail = read_mail(stored.parsed())
    headers: dict[str, str] = {}
    for name, value in mail.headers:
        # Generated mail rarely repeats a header; the first is the one readers see.
        headers.setdefault(name, value)
    return JsonResponse(
        {
            "id": stored.pk,
            "created_at": stored.created_at.isoformat(),
            "from": stored.from_email,
            "to": stored.recipient_addresses(),
            "subject": stored.subject,
            "message_id": stored.message_id,
            "headers": headers,
            "text": mail.text,
            "html": mail.html,
            "links": find_links(mail.text, mail.html),
            "url": request.build_absolute_uri(reverse("outbox:detail", args=[stored.pk])),
        }
    )
