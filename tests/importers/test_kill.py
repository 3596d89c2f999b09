"""A run killed half way (SIGKILL) and started again ends as an uninterrupted run.

Real processes on a real SQLite file: the import runs in a child process that kills
itself with SIGKILL after two stories, as a power cut or the OOM killer would.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.importers.conftest import EXPORT, MAPPING

SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from tests.factories import make_home
make_home()
"""

KILLED = """
import os, signal, sys
import django; django.setup()
from django.core.management import call_command
from dateline.importers import wordpress
original = wordpress.WordPressImport.post
calls = []
def post(self, item):
    calls.append(item)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, item)
wordpress.WordPressImport.post = post
call_command("import", "wordpress", *sys.argv[1:], verbosity=0)
"""

WHOLE = """
import sys
import django; django.setup()
from django.core.management import call_command
call_command("import", "wordpress", *sys.argv[1:], verbosity=0)
"""

STATE = """
import json
import django; django.setup()
from wagtail.contrib.redirects.models import Redirect
from dateline.comments.models import Comment
from dateline.importers.models import ImportedItem
from dateline.newsroom.models import ArticlePage, Author, Photo
pages = []
for item in ImportedItem.objects.filter(kind="post").order_by("source_id"):
    page = ArticlePage.objects.get(pk=item.object_id)
    pages.append([item.source_id, page.title, page.url_path, page.live,
                  page.has_unpublished_changes, [b.block_type for b in page.body],
                  page.lead_image.file_hash if page.lead_image else None,
                  sorted(t.name for t in page.tags.all())])
print(json.dumps({
    "pages": pages,
    "articles": ArticlePage.objects.count(),
    "photos": sorted(Photo.objects.values_list("file_hash", flat=True)),
    "authors": sorted(Author.objects.values_list("name", flat=True)),
    "redirects": sorted(
        [r.old_path, r.redirect_page.url_path if r.redirect_page else r.redirect_link]
        for r in Redirect.objects.all()
    ),
    "comments": sorted(
        [str(v) for v in row]
        for row in Comment.objects.values_list("import_id", "article__slug", "parent__import_id")
    ),
}))
"""


def python(code: str, database: Path, var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST",)}
    env.update(
        DJANGO_SETTINGS_MODULE="dateline.settings",
        DATABASE_URL=f"sqlite:///{database}",
        DATELINE_VAR_DIR=str(var),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600
    )


def copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)


def test_a_killed_run_started_again_ends_like_an_uninterrupted_one(tmp_path, media):
    var = tmp_path / "var"
    var.mkdir()
    base = tmp_path / "base.sqlite3"
    done = python(SETUP, base, var)
    assert done.returncode == 0, done.stderr
    killed, whole = tmp_path / "killed.sqlite3", tmp_path / "whole.sqlite3"
    copy(base, killed)
    copy(base, whole)
    args = (str(EXPORT), "--media", str(media), "--map", str(MAPPING))

    done = python(KILLED, killed, var, *args)
    assert done.returncode == -signal.SIGKILL, done.stderr
    half = json.loads(python(STATE, killed, var).stdout)
    # Two whole stories, nothing half there.
    assert [p[0] for p in half["pages"]] == ["101", "102"]
    assert half["articles"] == 2

    again = python(WHOLE, killed, var, *args)
    assert again.returncode == 0, again.stderr
    uninterrupted = python(WHOLE, whole, var, *args)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    after_kill = json.loads(python(STATE, killed, var).stdout)
    expected = json.loads(python(STATE, whole, var).stdout)
    assert after_kill == expected
    assert len(expected["pages"]) == 4 and expected["comments"]
