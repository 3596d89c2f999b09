import datetime

import pytest
from django.contrib.auth import get_user_model

from dateline.wire.formats import parse
from dateline.wire.ingest import ingest
from dateline.wire.models import StoryCluster, WireItem, WireUse
from tests.factories import make_article
from tests.wire.conftest import fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


def test_a_newer_version_updates_the_item_and_marks_it_an_update():
    provider = make_provider("Calder Press Service", format="newsml")
    ingest(provider, parse(fixture("calder.xml"), "newsml"))
    newer = (
        fixture("calder.xml")
        .replace(b'version="3"', b'version="4"')
        .replace(b"2026-11-16T12:00:00Z</versionCreated>", b"2026-11-16T15:00:00Z</versionCreated>")
        .replace(b"set for Wednesday", b"moved to Thursday")
    )
    report = ingest(provider, parse(newer, "newsml"))
    assert report.updated == 1 and report.created == 0
    item = WireItem.objects.get()
    assert item.is_update and item.version == "4"
    assert item.headline == "Talks to end Port Calder ferry strike moved to Thursday"


def test_the_same_version_again_changes_nothing():
    provider = make_provider("Calder Press Service", format="newsml")
    ingest(provider, parse(fixture("calder.xml"), "newsml"))
    report = ingest(provider, parse(fixture("calder.xml"), "newsml"))
    assert report.unchanged == 1 and report.updated == 0
    assert not WireItem.objects.get().is_update


def test_an_older_version_does_not_overwrite_a_newer_one():
    provider = make_provider("Calder Press Service", format="newsml")
    newer = fixture("calder.xml").replace(b'version="3"', b'version="5"')
    ingest(provider, parse(newer, "newsml"))
    ingest(provider, parse(fixture("calder.xml"), "newsml"))
    assert WireItem.objects.get().version == "5"


def test_a_kill_marks_the_item_and_warns_the_editors_of_every_article_that_used_it(
    world, mail_server, django_capture_on_commit_callbacks
):
    provider = make_provider("Meridian News Agency", format="ninjs")
    ingest(provider, parse(fixture("meridian.json"), "ninjs"))
    item = WireItem.objects.get(guid="urn:meridian:text:2026-4471")
    editor = get_user_model().objects.create_user("lin", "lin@example.org")
    other = get_user_model().objects.create_user("oren", "oren@example.org")
    first = make_article(world, "Ferry strike strands commuters")
    first.owner = editor
    first.save()
    second = make_article(world, "Calder quay empties")
    second.save_revision(user=other)
    WireUse.objects.create(article=first, item=item)
    WireUse.objects.create(article=second, item=item)
    unrelated = make_article(world, "Besk school closes")
    unrelated.owner = get_user_model().objects.create_user("x", "x@example.org")
    unrelated.save()

    with django_capture_on_commit_callbacks(execute=True):
        report = ingest(provider, parse(fixture("meridian-kill.json"), "ninjs"))

    assert report.killed == 1
    item.refresh_from_db()
    assert item.is_killed and item.is_update
    assert all("withdrew" in use.notice for use in WireUse.objects.all())
    assert len(mail_server.to("lin@example.org")) == 1
    assert len(mail_server.to("oren@example.org")) == 1
    assert mail_server.to("x@example.org") == []
    (mail,) = mail_server.to("lin@example.org")
    assert "Ferry strike strands commuters" in mail["Subject"]
    assert "urn:meridian:text:2026-4471" in mail_server.text(mail)


def test_a_kill_warning_queued_under_the_tasks_old_path_still_runs():
    # The wire's follow-up tasks moved out of tasks.py; a worker meets rows queued
    # before that with their old path, and must find the same task by it.
    from django_tasks_db.models import DBTaskResult, get_date_max

    from dateline.wire.followups import mail_kill_warning

    queued = DBTaskResult.objects.create(
        task_path="dateline.wire.tasks.mail_kill_warning",
        args_kwargs={"args": [0], "kwargs": {}},
        status="READY",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),  # none: the tests' backend runs tasks at once
        exception_class_path="",
        traceback="",
    )
    assert mail_kill_warning.module_path == "dateline.wire.followups.mail_kill_warning"
    assert queued.task.func is mail_kill_warning.func
    assert queued.task.call(*queued.args_kwargs["args"]) == 0  # no such item: nobody mailed


def test_an_update_after_use_leaves_a_notice_on_the_article(world):
    provider = make_provider("Calder Press Service", format="newsml")
    ingest(provider, parse(fixture("calder.xml"), "newsml"))
    use = WireUse.objects.create(
        article=make_article(world, "Talks set"), item=WireItem.objects.get()
    )
    ingest(provider, parse(fixture("calder.xml").replace(b'version="3"', b'version="4"'), "newsml"))
    use.refresh_from_db()
    assert "updated" in use.notice


def test_the_same_report_twice_shows_once():
    northwind = make_provider("Northwind Press")
    resend = make_provider("Northwind Press Europe")
    ingest(northwind, parse(fixture("northwind.rss"), "rss"))
    copy = fixture("northwind.rss").replace(b"urn:northwind:2026:ferry-strike-1", b"urn:nwe:77")
    report = ingest(resend, parse(copy, "rss"))
    assert report.duplicates >= 1
    original = WireItem.objects.get(guid="urn:northwind:2026:ferry-strike-1")
    again = WireItem.objects.get(guid="urn:nwe:77")
    assert again.duplicate_of == original
    assert again.cluster == original.cluster


def test_reports_of_one_event_from_different_agencies_share_a_cluster():
    feeds = [
        ("Northwind Press", "rss", "northwind.rss"),
        ("Harbor Line Wire", "atom", "harborline.atom"),
        ("Meridian News Agency", "ninjs", "meridian.json"),
        ("Calder Press Service", "newsml", "calder.xml"),
    ]
    for name, fmt, file in feeds:
        ingest(make_provider(name, format=fmt), parse(fixture(file), fmt))
    ferry = {
        "urn:northwind:2026:ferry-strike-1",
        "urn:harborline:2026-11-16:calder-ferries",
        "urn:meridian:text:2026-4471",
        "urn:calderpress:2026:881",
    }
    flood = {
        "https://wire.northwind.example/stories/besk-flood",
        "urn:harborline:2026-11-16:orvin",
        "urn:meridian:text:2026-4475",
    }
    cluster_of = dict(WireItem.objects.values_list("guid", "cluster_id"))
    assert len({cluster_of[g] for g in ferry}) == 1
    assert len({cluster_of[g] for g in flood}) == 1
    assert cluster_of[next(iter(ferry))] != cluster_of[next(iter(flood))]
    cluster = StoryCluster.objects.get(pk=cluster_of["urn:calderpress:2026:881"])
    assert cluster.last_item_at == datetime.datetime(2026, 11, 16, 12, tzinfo=datetime.UTC)


def test_one_item_that_cannot_be_stored_does_not_stop_the_rest():
    provider = make_provider()
    result = parse(fixture("northwind.rss"), "rss")
    result.items[0].headline = None  # type: ignore[assignment]
    report = ingest(provider, result)
    assert report.created == 2
    assert any(p.kind == "error" for p in report.problems)
