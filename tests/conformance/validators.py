"""The outside checkers' rules, for the conformance tests: the Nu Html Checker (vnu.jar
from the npm package ``vnu-jar``, on Debian's Java) and the feed validator's rules that
matter, written out as checks (the W3C service is not on the package registries)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run_vnu(files: list[Path]) -> list[dict[str, Any]]:
    """The checker's errors over ``files``, each with the file it is in."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("No Java runtime: install Debian's default-jre-headless to run vnu")
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run `make test` (or `npm ci`) to install vnu-jar")
    done = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    # vnu writes its report to standard error.
    messages = json.loads(done.stderr)["messages"]
    return [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]


ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
RFC_822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} (\+\d{4}|-(?!0000)\d{4}|GMT)"
)
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
FULL_URL = re.compile(r"https?://[^\s/]+/\S*")


def check_rss(url: str, root: ET.Element) -> list[str]:
    wrong = []
    channel = root.find("channel")
    assert channel is not None
    selfs = [
        link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    if selfs != [settings.BASE_URL + url]:
        wrong.append(f"self link {selfs}")
    dates = [channel.findtext("lastBuildDate")]
    for item in channel.findall("item"):
        dates.append(item.findtext("pubDate"))
        guid = item.find("guid")
        if guid is None:
            wrong.append("item without guid")
        elif guid.get("isPermaLink", "true") == "true" and not FULL_URL.fullmatch(guid.text or ""):
            wrong.append(f"permalink guid is not a full URL: {guid.text}")
        for updated in item.findall(f"{ATOM}updated"):
            if not RFC_3339.fullmatch(updated.text or ""):
                wrong.append(f"atom:updated {updated.text}")
        wrong += check_media(item)
    wrong += [f"not an RFC 822 date: {d}" for d in dates if not RFC_822.fullmatch(d or "")]
    return wrong


def check_atom(url: str, root: ET.Element) -> list[str]:
    wrong = []
    selfs = [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if selfs != [settings.BASE_URL + url]:
        wrong.append(f"self link {selfs}")
    feed_author = root.find(f"{ATOM}author") is not None
    for element in [root, *root.findall(f"{ATOM}entry")]:
        name = element.findtext(f"{ATOM}title")
        if not FULL_URL.fullmatch(element.findtext(f"{ATOM}id") or ""):
            wrong.append(f"{name}: id {element.findtext(f'{ATOM}id')}")
        if not RFC_3339.fullmatch(element.findtext(f"{ATOM}updated") or ""):
            wrong.append(f"{name}: updated {element.findtext(f'{ATOM}updated')}")
        if element is not root:
            if not feed_author and element.find(f"{ATOM}author") is None:
                wrong.append(f"{name}: no author")
            wrong += check_media(element)
    return wrong


def check_media(item: ET.Element) -> list[str]:
    return [
        f"media:credit without a role: {credit.text}"
        for credit in item.iter(f"{MEDIA}credit")
        if not credit.get("role")
    ]
