"""A run killed half way (SIGKILL) and started again ends as an uninterrupted run.

Real processes on a real SQLite file: the import runs in a child process that kills
itself with SIGKILL after two stories, as a power cut or the OOM killer would.
"""

from __future__ import annotations

import json
import signal

from tests.importers.conftest import EXPORT, MAPPING
from tests.importers.processes import STATE, killed_on, python, two_sites, whole_run

KILLED = killed_on("dateline.importers.stories:StoryImport.store", "wordpress")
WHOLE = whole_run("wordpress")


def test_a_killed_run_started_again_ends_like_an_uninterrupted_one(tmp_path, media):
    var, killed, whole = two_sites(tmp_path)
    args = (str(EXPORT), "--media", str(media), "--map", str(MAPPING))

    # Two stories per transaction: the kill in the third leaves the first two whole.
    done = python(KILLED, killed, var, *args, "--batch", "2")
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
