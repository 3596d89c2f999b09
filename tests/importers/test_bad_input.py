"""Files we refuse, with a message that names the file and where the trouble is."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from dateline.importers import wordpress
from dateline.importers.core import ImportFailed, Mapping
from dateline.newsroom.models import ArticlePage
from tests.importers.conftest import FIXTURES


def test_malformed_xml_names_the_file_and_line():
    with pytest.raises(ImportFailed) as caught:
        wordpress.read(FIXTURES / "malformed.xml")
    message = str(caught.value)
    assert "malformed.xml, line " in message and "not well-formed XML" in message


def test_an_unknown_wxr_version():
    with pytest.raises(ImportFailed, match=r"unknown-version.xml: WXR version '2.0'"):
        wordpress.read(FIXTURES / "unknown-version.xml")


def test_entity_expansion_is_refused_without_expanding():
    with pytest.raises(ImportFailed, match="declares a DTD"):
        wordpress.read(FIXTURES / "billion-laughs.xml")


def test_an_external_entity_is_never_fetched_or_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    attack = tmp_path / "xxe.xml"
    attack.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version><title>&x;</title></channel></rss>"
    )
    with pytest.raises(ImportFailed) as caught:
        wordpress.read(attack)
    assert "do not read me" not in str(caught.value)


def test_not_a_wordpress_export(tmp_path):
    other = tmp_path / "feed.xml"
    other.write_text("<feed><entry/></feed>")
    with pytest.raises(ImportFailed, match=r"feed\.xml: this is not a WordPress export"):
        wordpress.read(other)


def test_a_bad_mapping_is_named(tmp_path):
    bad = tmp_path / "map.toml"
    bad.write_text('unknown_blocks = "shred"\n')
    with pytest.raises(ImportFailed, match=r'map\.toml: unknown_blocks is .shred.; use "keep"'):
        Mapping.load(bad)
    bad.write_text("[sections\n")
    with pytest.raises(ImportFailed, match=r"map\.toml is not valid TOML"):
        Mapping.load(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('section = "News"\n', r"map\.toml: unknown key 'section' \(a typo\?\)"),
        ("[sections]\nharbour = 3\n", r"map\.toml: sections\.harbour must be a section's title"),
        ('agencies = "coastwire"\n', r"map\.toml: agencies must be a list of names"),
        ("default_section = 7\n", r"map\.toml: default_section must be a section's title"),
        ('sections = "Harbour"\n', r"map\.toml: \[sections\] must be a table"),
    ],
)
def test_each_bad_key_is_named(tmp_path, text, message):
    bad = tmp_path / "map.toml"
    bad.write_text(text)
    with pytest.raises(ImportFailed, match=message):
        Mapping.load(bad)


@pytest.mark.django_db
def test_the_command_reports_bad_input_and_imports_nothing(home):
    with pytest.raises(CommandError, match=r"malformed\.xml, line"):
        call_command("import", "wordpress", str(FIXTURES / "malformed.xml"))
    assert ArticlePage.objects.count() == 0
