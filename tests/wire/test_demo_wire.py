"""The demo's wire desk: ``dateline demo`` sets up agencies' drop folders and polls them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dateline.newsroom.demo.loader import ADMIN_PASSWORD, ADMIN_USERNAME
from dateline.wire.models import Provider, StoryCluster, WireItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path
    # The drop folders' root, where the settings name one (else var/wire-drop).
    settings.WIRE_DROP_ROOT = tmp_path / "wire-drop"
    out = io.StringIO()
    call_command("demo", articles=1, stdout=out, no_color=True)
    return out.getvalue()


def test_the_demo_fills_the_wire_desk(demo, client):
    assert "Wire desk" in demo and "3 agencies" in demo
    assert client.login(username=ADMIN_USERNAME, password=ADMIN_PASSWORD)

    desk = client.get("/admin/wire/desk/").content.decode()

    assert desk.count('data-cluster="') == 4
    assert "URGENT: Rail bridge at Besk closed after inspectors find cracks" in desk
    assert "Harbour Wire Service" in desk and "Velmar Press Agency" in desk


def test_agencies_drop_rss_atom_and_ninjs_under_var_and_report_one_event(demo, tmp_path):
    providers = Provider.objects.order_by("name")
    assert [(p.name, p.format, p.status) for p in providers] == [
        ("Harbour Wire Service", "rss", "ok"),
        ("Lowland Newswire", "atom", "ok"),
        ("Velmar Press Agency", "ninjs", "ok"),
    ]
    for provider in providers:
        assert provider.transport == Provider.Transport.FOLDER
        assert provider.folder.startswith(str(tmp_path / "wire-drop"))
        # Read and put aside, as an agency's files are.
        assert list((tmp_path / "wire-drop").glob("*/.done/demo-*"))
    # One event reported by three agencies within the hour.
    bridge = StoryCluster.objects.get(items__headline__startswith="URGENT: Rail bridge")
    reports = list(bridge.items.order_by("version_created"))
    assert {r.provider.name for r in reports} == {
        "Harbour Wire Service",
        "Lowland Newswire",
        "Velmar Press Agency",
    }
    now = timezone.now()
    assert all(now - datetime.timedelta(hours=1) < r.when < now for r in reports)
    assert StoryCluster.objects.count() == 4
    assert WireItem.objects.count() == 8
