"""Images over HTTP from the old site (``--fetch``), instead of a copy of its folder.

The export is a file someone uploads, so the addresses in it are not to be trusted:
only http and https, no proxy from the environment, a time limit per image and a
size cap, and never an address on a private or local network (the server's own,
its neighbours', a cloud's metadata service) unless ``allow_private`` says so (for
an old site on the newsroom's own network, and the tests). The check is on the
address each connection reaches, redirects and DNS answers included, before a
byte is sent, as for the wire desk's feeds (dateline/wire/egress.py).
"""

from __future__ import annotations

import socket
import threading
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from dateline.wire.egress import address_refused

MAX_BYTES = 25 * 1024 * 1024  # larger than any web photo a newsroom would serve
TIMEOUT = (5.0, 30.0)  # seconds to connect, seconds between bytes
USER_AGENT = "Dateline-import/1 (moving a newsroom in)"


class FetchFailed(Exception):
    """Why an image could not be fetched, as the report says it."""


class _Refused(OSError):
    pass


_refusals = threading.local()  # what _checked refused, for get() to name it


def _checked(sock: socket.socket) -> socket.socket:
    peer = sock.getpeername()[0]
    if address_refused(peer):
        sock.close()
        _refusals.address = peer
        raise _Refused(f"{peer} is a private or local address")
    return sock


class _CheckedHTTP(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn())


class _CheckedHTTPS(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn())


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTP


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPS


class _PublicOnly(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


class Fetcher:
    """Gets images' bytes from the old site; ``site`` resolves relative addresses
    (and Ghost's ``__GHOST_URL__`` placeholder)."""

    def __init__(
        self,
        site: str = "",
        *,
        allow_private: bool = False,
        max_bytes: int = MAX_BYTES,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        self.site = site.rstrip("/")
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or .netrc from the environment
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = 5
        if not allow_private:
            for scheme in ("http://", "https://"):
                self.session.mount(scheme, _PublicOnly())

    def address(self, url: str) -> str:
        url = url.strip()
        if "__GHOST_URL__" in url:
            if not self.site:
                raise FetchFailed("Ghost's __GHOST_URL__ address, and no --site to say where")
            url = url.replace("__GHOST_URL__", self.site)
        if url.startswith("//"):
            url = "https:" + url
        if not urlsplit(url).scheme:
            if not self.site:
                raise FetchFailed("a relative address, and no --site to say where")
            url = urljoin(self.site + "/", url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchFailed(f"not an http or https address: {url[:200]}")
        return url

    def get(self, url: str) -> bytes:
        address = self.address(url)
        _refusals.address = None
        try:
            with self.session.get(address, timeout=self.timeout, stream=True) as response:
                if response.status_code != 200:
                    raise FetchFailed(f"HTTP {response.status_code} from {address}")
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > self.max_bytes:
                    raise FetchFailed(f"larger than {self.max_bytes // 2**20} MB: {address}")
                data = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise FetchFailed(f"larger than {self.max_bytes // 2**20} MB: {address}")
                return bytes(data)
        except requests.exceptions.ConnectionError:
            if getattr(_refusals, "address", None):
                raise FetchFailed(
                    f"{address} is on a private or local network (allowed only with "
                    "--fetch-private)"
                ) from None
            raise FetchFailed(f"could not connect to {address}") from None
        except requests.exceptions.Timeout:
            raise FetchFailed(f"no answer in time from {address}") from None
        except requests.exceptions.TooManyRedirects:
            raise FetchFailed(f"too many redirects from {address}") from None
        except requests.exceptions.RequestException as error:
            raise FetchFailed(f"{type(error).__name__} for {address}") from None
