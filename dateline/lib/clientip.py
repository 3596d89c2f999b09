"""The reader's address: REMOTE_ADDR, or what a trusted proxy says it forwarded.

Behind a reverse proxy every request comes from the proxy, so per-address limits
(signups, comments, logins), consent records and logs would all see one
address. ``TRUSTED_PROXIES`` lists the proxies' addresses or networks; only when
the request comes from one of them is its forwarding header
(``TRUSTED_PROXY_HEADER``: ``X-Forwarded-For``, or ``Forwarded``) read, from the
right: each proxy appends the address it saw, so the first address from the
right that is not a trusted proxy is the client, and whatever a client wrote
into the header itself, further left, is never believed.

Our own rather than django-ipware: that matches proxies by text prefix and counts
hops, where operators think in networks (10.0.0.0/8, a Docker subnet).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_FORWARDED_FOR = re.compile(r'for="?([^";,]+)"?', re.IGNORECASE)


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> Address | None:
    text = text.strip()
    # Forwarded writes IPv6 as "[2001:db8::1]" and may add a port; X-Forwarded-For rarely does.
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _hops(meta: dict[str, str]) -> list[str]:
    if settings.TRUSTED_PROXY_HEADER.lower() == "forwarded":
        return _FORWARDED_FOR.findall(meta.get("HTTP_FORWARDED", ""))
    return meta.get("HTTP_X_FORWARDED_FOR", "").split(",")


def client_ip_from(meta: dict[str, str]) -> str | None:
    """The client's address from a WSGI environ or ``request.META``."""
    remote = meta.get("REMOTE_ADDR") or ""
    networks = trusted_networks()
    peer = _address(remote)
    if peer is None or not networks or not _trusted(peer, networks):
        return remote or None
    client = peer
    for hop in reversed(_hops(meta)):
        address = _address(hop)
        if address is None:
            break  # garbage from further left: the last address we could read stands
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str | None:
    return client_ip_from(request.META)


def forget_untrusted_scheme(environ: dict[str, str]) -> None:
    """Drop the proxy's https header (``SECURE_PROXY_SSL_HEADER``) from an untrusted sender.

    With ``TRUSTED_PROXIES`` set, only those proxies say whether the reader used https,
    as only they say who the reader is; unset, the header is believed as before (the
    deployment guide asks for ``TRUSTED_PROXIES`` behind a proxy).
    """
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    networks = trusted_networks()
    if not proxy_header or not networks or proxy_header[0] not in environ:
        return
    peer = _address(environ.get("REMOTE_ADDR") or "")
    if peer is None or not _trusted(peer, networks):
        del environ[proxy_header[0]]
