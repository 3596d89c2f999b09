"""`dateline backup` and `dateline restore` on a real SQLite file, in separate processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATELINE = [sys.executable, "-m", "dateline.cli"]

MAKE_CONTENT = """
import django; django.setup()
from tests.factories import make_home, make_section, make_article
home = make_home()
world = make_section(home, "World News")
for title in ("Dam agreement signed", "Glacier survey published"):
    make_article(world, title, photo=True)
"""

SNAPSHOT = """
import django, json; django.setup()
from wagtail.models import Page
from dateline.newsroom.models import Photo
print(json.dumps({
    "pages": sorted(Page.objects.values_list("title", flat=True)),
    "photos": sorted(Photo.objects.values_list("file", flat=True)),
}))
"""

CHANGE_CONTENT = """
import django; django.setup()
from dateline.newsroom.models import ArticlePage
from dateline.newsroom.models import SectionPage
from tests.factories import make_article
ArticlePage.objects.get(title="Dam agreement signed").delete()
make_article(SectionPage.objects.get(), "A story written after the backup")
"""


def _env(var_dir: Path) -> dict[str, str]:
    env = {**os.environ, "DATELINE_VAR_DIR": str(var_dir), "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "dateline.settings"
    return env


@pytest.fixture(scope="module")
def migrated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated site with two stories and their photos, made once (migrating is slow)."""
    var_dir = tmp_path_factory.mktemp("template") / "var"
    env = _env(var_dir)
    run(env, *DATELINE, "migrate", "--noinput", "-v", "0")
    python(env, MAKE_CONTENT)
    return var_dir


@pytest.fixture
def site(migrated_site: Path, tmp_path: Path) -> dict[str, str]:
    var_dir = tmp_path / "var"
    shutil.copytree(migrated_site, var_dir)
    return _env(var_dir)


def run(env: dict[str, str], *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, input="no\n"
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{argv} failed:\n{done.stdout}\n{done.stderr}")
    return done


def python(env: dict[str, str], code: str) -> str:
    return run(env, sys.executable, "-c", code).stdout


def snapshot(env: dict[str, str]) -> dict[str, list[str]]:
    return json.loads(python(env, SNAPSHOT).strip().splitlines()[-1])


def media_files(env: dict[str, str]) -> set[str]:
    root = Path(env["DATELINE_VAR_DIR"]) / "media"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_a_backup_restores_the_content_it_was_taken_from(site, tmp_path):
    before, media_before = snapshot(site), media_files(site)
    assert "Dam agreement signed" in before["pages"] and media_before
    archive = tmp_path / "backup.tar.gz"
    out = run(site, *DATELINE, "backup", str(archive)).stdout
    assert "Backup written" in out and archive.exists()

    python(site, CHANGE_CONTENT)
    photo = next(iter(media_before))
    (Path(site["DATELINE_VAR_DIR"]) / "media" / photo).unlink()
    assert snapshot(site) != before

    # Without --yes it asks, and "no" changes nothing.
    refused = run(site, *DATELINE, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "Nothing restored" in refused.stderr
    out = run(site, *DATELINE, "restore", "--yes", str(archive)).stdout
    assert "Restored" in out
    assert snapshot(site) == before
    assert media_files(site) == media_before


def test_a_damaged_backup_changes_nothing(site, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    run(site, *DATELINE, "backup", str(archive))
    python(site, CHANGE_CONTENT)
    after_change = snapshot(site)

    # Same manifest, but the database inside replaced by other bytes.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name == "database.sqlite3":
                junk = tmp_path / "junk"
                junk.write_bytes(b"not a database" * 100)
                target.add(junk, arcname=member.name)
            elif data is not None:
                target.addfile(member, data)
    failed = run(site, *DATELINE, "restore", "--yes", str(tampered), check=False)
    assert failed.returncode != 0 and "checksum" in failed.stderr
    (tmp_path / "garbage.tar.gz").write_bytes(b"\x1f\x8b garbage")
    failed = run(site, *DATELINE, "restore", "--yes", str(tmp_path / "garbage.tar.gz"), check=False)
    assert failed.returncode != 0 and "not a readable Dateline backup" in failed.stderr
    assert snapshot(site) == after_change


def test_postgresql_sites_are_pointed_at_pg_dump(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        "DATELINE_VAR_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    failed = run(env, *DATELINE, "backup", str(tmp_path / "x.tar.gz"), check=False)
    assert failed.returncode != 0 and "pg_dump" in failed.stderr
    assert not (tmp_path / "x.tar.gz").exists()
