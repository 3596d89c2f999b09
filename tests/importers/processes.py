"""The import in a process of its own on a real SQLite file, for the kill -9 tests: a
base site copied twice, a run that kills itself half way, a whole run, the WordPress
import's state to compare, and the helpers that run them."""

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


def killed_on(target: str, source: str, call: int = 3) -> str:
    """A script that imports from ``source`` and kills itself (SIGKILL) on the ``call``-th
    call of ``target`` ("module:Class.method"), as a power cut or the OOM killer would."""
    module, _, attribute = target.partition(":")
    owner, _, method = attribute.partition(".")
    return f"""
import importlib, os, signal, sys
import django; django.setup()
from django.core.management import call_command
owner = getattr(importlib.import_module("{module}"), "{owner}")
original = owner.{method}
calls = []
def patched(self, *args):
    calls.append(args)
    if len(calls) == {call}:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, *args)
owner.{method} = patched
call_command("import", "{source}", *sys.argv[1:], verbosity=0)
"""


def whole_run(source: str) -> str:
    """A script that imports from ``source`` to the end."""
    return f"""
import sys
import django; django.setup()
from django.core.management import call_command
call_command("import", "{source}", *sys.argv[1:], verbosity=0)
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


def two_sites(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A migrated site with its home page, copied twice: (var folder, the copy to kill,
    the copy to run whole)."""
    var = tmp_path / "var"
    var.mkdir()
    base = tmp_path / "base.sqlite3"
    done = python(SETUP, base, var)
    assert done.returncode == 0, done.stderr
    killed, whole = tmp_path / "killed.sqlite3", tmp_path / "whole.sqlite3"
    copy(base, killed)
    copy(base, whole)
    return var, killed, whole
