"""What other apps show at the top of the fronts (the home page and the section fronts).

An app registers a function in its ready(); each front asks them all while it renders
and shows their boxes above its stories, each in the box's own template. The newsroom
so knows no app above it (the live app's strip of open live blogs is one such box).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Box:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # The newest change the box shows: the front's Last-Modified is no earlier, so a
    # crawler asking If-Modified-Since is not told "unchanged" when only the box is new.
    modified: datetime.datetime | None = None


# (request, front page) -> a box, or None when there is nothing to show
BoxMaker = Callable[[HttpRequest, Any], "Box | None"]
_makers: list[BoxMaker] = []


def register(maker: BoxMaker) -> None:
    if maker not in _makers:
        _makers.append(maker)


def boxes(request: HttpRequest, front: Any) -> list[Box]:
    """The boxes for ``front``, in the order their apps registered."""
    return [box for maker in _makers if (box := maker(request, front)) is not None]
