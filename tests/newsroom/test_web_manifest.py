"""The Web App Manifest: /manifest.webmanifest, linked from every page with the icons."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def test_it_names_the_publication_and_lists_icons_that_exist(client: Client, settings) -> None:
    settings.PUBLICATION_NAME = "The Harbour Gazette"
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "The Harbour Gazette"
    assert manifest["start_url"] == "/"
    sizes = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, f"{icon['src']} is not a static file"
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes[icon["sizes"], icon.get("purpose", "any")] = icon["src"]
    # What browsers ask for before they offer to install: 192 and 512, and a maskable one.
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(sizes)


def test_every_page_links_the_manifest_and_icons(client: Client, home) -> None:
    page = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    for icon in ("icon.svg", "icon-32.png", "icon-180.png"):
        assert f"/static/dateline/icons/{icon}" in page
    assert 'name="theme-color"' in page
