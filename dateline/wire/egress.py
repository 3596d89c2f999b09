"""Where a wire provider may take the worker: public addresses, and folders under a root.

Providers are set up by administrators, but an address typed into a form must not
turn the worker into a way into the server's own network: a feed at
``http://127.0.0.1:8000/metrics`` or a cloud metadata address would be fetched
from inside, and a drop folder anywhere on disk would have its files read and
moved. So:

* HTTP feeds reach only public addresses. The check is on the address each
  connection actually reaches (redirects and DNS answers included), before a
  byte is sent; ``WIRE_ALLOW_PRIVATE_ADDRESSES`` lifts it for a feed on the
  newsroom's own network.
* Drop folders live under ``WIRE_DROP_ROOT`` (``var/wire-drop`` by default); a
  relative folder is taken inside it, and links leading out are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings


class EgressRefused(Exception):
    """The provider names a place the worker must not go."""


def address_refused(text: str) -> bool:
    """True for loopback, private, link-local and other non-public addresses."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _check(text: str) -> None:
    if not settings.WIRE_ALLOW_PRIVATE_ADDRESSES and address_refused(text):
        raise EgressRefused(
            "the feed's address is on a private or local network; set "
            "WIRE_ALLOW_PRIVATE_ADDRESSES=true to allow it"
        )


def _create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
    sock = socket.create_connection(address, *args, **kwargs)
    try:
        _check(sock.getpeername()[0])
    except EgressRefused:
        sock.close()
        raise
    return sock


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _create_connection


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _create_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_HTTPConnection, req, **kwargs)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_HTTPSConnection, req, **kwargs)


def opener() -> urllib.request.OpenerDirector:
    """urllib's opener, with every connection checked (redirects too); no file:, no ftp:."""
    return urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)


def url_problem(url: str) -> str | None:
    """Why an HTTP feed address is refused, for the admin form; None when it is fine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give an http:// or https:// address."
    if settings.WIRE_ALLOW_PRIVATE_ADDRESSES:
        return None
    try:
        answers = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None  # unknown for now: the poll reports it, and checks again on connecting
    if any(address_refused(str(answer[4][0])) for answer in answers):
        return (
            "This address is on a private or local network (the server's own, or its "
            "neighbours'), which feeds may not reach unless WIRE_ALLOW_PRIVATE_ADDRESSES is set."
        )
    return None


def drop_root() -> Path:
    return Path(settings.WIRE_DROP_ROOT).resolve()


def drop_folder(value: str) -> Path:
    """The provider's folder as a real path under the drop root, or EgressRefused."""
    root = drop_root()
    folder = (root / value).resolve()  # an absolute value replaces root here
    if not folder.is_relative_to(root):
        raise EgressRefused(f"drop folders must be inside {root} (WIRE_DROP_ROOT)")
    return folder
