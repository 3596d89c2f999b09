"""The import in a process of its own on a real SQLite file, for the kill -9 tests:
the WordPress import's scripts (a base site, a run killed after two stories, a whole
run, the state to compare) and the helpers that run them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

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
