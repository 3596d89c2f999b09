"""Every sitemap file validates against the published sitemaps.org and Google News schemas.

The schemas are in tests/conformance/schemas: sitemaps.org's sitemap.xsd and
siteindex.xsd as published; Google's News extension written out from its published
XSD (no copy of the file was at hand). ``xmlschema`` validates strictly: the news
elements inside a urlset are checked against Google's schema too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from django.test import Client

from tests.conformance.helpers import Site

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@pytest.fixture(scope="module")
def urlset() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(
        SCHEMAS / "sitemap.xsd", locations=[(NEWS_NS, str(SCHEMAS / "sitemap-news.xsd"))]
    )


@pytest.fixture(scope="module")
def sitemapindex() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "siteindex.xsd")


def fetch(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def files_named_in(index: str) -> list[str]:
    import re

    return ["/" + loc.split("/", 3)[3] for loc in re.findall(r"<loc>([^<]+)</loc>", index)]


@pytest.mark.parametrize("index_url", ["/sitemap.xml", "/news-sitemap.xml"])
def test_each_index_and_every_file_it_names_is_valid(
    client: Client,
    site: Site,
    urlset: xmlschema.XMLSchema,
    sitemapindex: xmlschema.XMLSchema,
    index_url: str,
) -> None:
    index = fetch(client, index_url)
    sitemapindex.validate(index)
    files = files_named_in(index)
    assert files
    for url in files:
        document = fetch(client, url)
        assert "<url>" in document, url
        urlset.validate(document)


def test_the_schemas_do_refuse_a_bad_sitemap(urlset: xmlschema.XMLSchema) -> None:
    # A date with microseconds is fine for XML Schema; a lastmod without its loc is not.
    bad = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><lastmod>2026-12-05</lastmod></url></urlset>"
    )
    assert not urlset.is_valid(bad)


def test_with_a_live_blog_every_file_is_still_valid(
    client: Client, site: Site, urlset: xmlschema.XMLSchema, sitemapindex: xmlschema.XMLSchema
) -> None:
    from tests.live.helpers import make_live_blog, make_post

    blog = make_live_blog(site.section, "Ferry strike: live")
    make_post(blog, "Pickets at the gate.")
    for index_url in ("/sitemap.xml", "/news-sitemap.xml"):
        index = fetch(client, index_url)
        sitemapindex.validate(index)
        for url in files_named_in(index):
            document = fetch(client, url)
            urlset.validate(document)
            if url in ("/sitemap-live-1.xml", "/news-sitemap-1.xml"):
                assert blog.url in document, url
