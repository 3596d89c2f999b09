"""The shared story store killed half way (SIGKILL) and run again, on a Ghost export.

As test_kill.py for WordPress: real processes on a real SQLite file.
"""

from __future__ import annotations

import json
import signal

from tests.importers.conftest import GHOST_EXPORT as EXPORT
from tests.importers.conftest import MAPPING
from tests.importers.processes import killed_on, python, two_sites, whole_run

KILLED = killed_on("dateline.importers.stories:StoryImport.store", "ghost")
WHOLE = whole_run("ghost")

STATE = """
import json
import django; django.setup()
from wagtail.contrib.redirects.models import Redirect
from dateline.importers.models import ImportedItem
from dateline.newsroom.models import ArticlePage, Author, Photo
pages = []
for item in ImportedItem.objects.filter(kind="post").order_by("source_id"):
    page = ArticlePage.objects.get(pk=item.object_id)
    pages.append([item.source_id, page.title, page.url_path, page.live,
                  [b.block_type for b in page.body], [a.name for a in page.authors],
                  page.lead_image.file_hash if page.lead_image else None,
                  sorted(t.name for t in page.tags.all())])
print(json.dumps({
    "pages": pages,
    "articles": ArticlePage.objects.count(),
    "photos": sorted(Photo.objects.values_list("file_hash", flat=True)),
    "authors": sorted(Author.objects.values_list("name", "bio")),
    "redirects": sorted(
        [r.old_path, r.redirect_page.url_path if r.redirect_page else r.redirect_link]
        for r in Redirect.objects.all()
    ),
}))
"""


def test_a_killed_ghost_run_started_again_ends_like_an_uninterrupted_one(tmp_path):
    from tests.importers.conftest import jpeg

    images = tmp_path / "images"
    (images / "2024/03").mkdir(parents=True)
    (images / "2022/11").mkdir(parents=True)
    (images / "2024/03/bridge.jpg").write_bytes(jpeg((30, 80, 110)))
    (images / "2022/11/roof.jpg").write_bytes(jpeg((70, 70, 70)))
    var, killed, whole = two_sites(tmp_path)
    args = (str(EXPORT), "--media", str(images), "--map", str(MAPPING))

    # Two stories per transaction: the kill in the third leaves the first two whole.
    done = python(KILLED, killed, var, *args, "--batch", "2")
    assert done.returncode == -signal.SIGKILL, done.stderr
    half = json.loads(python(STATE, killed, var).stdout)
    assert half["articles"] == 2 and len(half["pages"]) == 2  # two whole stories

    again = python(WHOLE, killed, var, *args)
    assert again.returncode == 0, again.stderr
    uninterrupted = python(WHOLE, whole, var, *args)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    after_kill = json.loads(python(STATE, killed, var).stdout)
    expected = json.loads(python(STATE, whole, var).stdout)
    assert after_kill == expected
    assert len(expected["pages"]) == 5 and expected["redirects"]
