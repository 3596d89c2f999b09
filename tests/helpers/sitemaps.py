"""Reading the sitemaps in tests: their namespaces, a fetch, the URLs they list."""

from __future__ import annotations

from typing import Any

from lxml import etree

# The publication's address the sitemap tests set (settings.BASE_URL): every loc starts so.
BASE_URL = "https://news.example"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def fetch(client: Any, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return etree.fromstring(response.content)


def locs(root: etree._Element) -> list[str]:
    return root.xpath("//sm:loc/text()", namespaces=NS)
