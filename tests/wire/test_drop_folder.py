import shutil

import pytest

from dateline.wire.models import WireItem
from dateline.wire.transports import poll
from tests.wire.conftest import FIXTURES
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db


def test_files_dropped_in_the_folder_are_read_and_moved_aside(tmp_path):
    shutil.copy(FIXTURES / "calder.xml", tmp_path / "calder-1.xml")
    provider = make_provider("Calder Press Service", transport="folder", format="newsml")
    provider.folder = str(tmp_path)
    report = poll(provider)
    assert report is not None and report.created == 1
    assert not (tmp_path / "calder-1.xml").exists()
    assert (tmp_path / ".done" / "calder-1.xml").exists()
    item = WireItem.objects.get()
    assert item.guid == "urn:calderpress:2026:881" and item.version == "3"


def test_a_bad_file_is_put_aside_and_the_good_ones_still_read(tmp_path):
    (tmp_path / "a-broken.json").write_bytes(b"{not json")
    shutil.copy(FIXTURES / "meridian.json", tmp_path / "b-meridian.json")
    provider = make_provider(
        "Meridian News Agency", transport="folder", format="ninjs", folder=str(tmp_path)
    )
    report = poll(provider)
    assert report is not None and report.created == 2
    assert (tmp_path / ".failed" / "a-broken.json").exists()
    assert any("not JSON" in p.reason for p in report.problems)
    provider.refresh_from_db()
    assert provider.failures == 0


def test_a_missing_folder_is_a_failure(tmp_path):
    provider = make_provider(transport="folder", folder=str(tmp_path / "gone"))
    assert poll(provider) is None
    provider.refresh_from_db()
    assert "does not exist" in provider.last_error


def test_only_a_poll_that_brought_news_says_so_on_the_console(tmp_path, caplog):
    shutil.copy(FIXTURES / "calder.xml", tmp_path / "calder-1.xml")
    provider = make_provider("Calder Press Service", transport="folder", format="newsml")
    provider.folder = str(tmp_path)
    with caplog.at_level("DEBUG", logger="dateline.wire"):
        poll(provider)
        poll(provider)  # the folder is empty now
    polled = [(r.levelname, r.getMessage()) for r in caplog.records if "Polled" in r.msg]
    assert len(polled) == 2
    assert polled[0][0] == "INFO" and polled[0][1].startswith("Polled Calder Press Service: 1 new")
    assert polled[1][0] == "DEBUG"
