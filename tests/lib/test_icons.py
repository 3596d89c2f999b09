"""The committed icons are the ones dateline.lib.icons draws."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from dateline.lib import icons


@pytest.mark.parametrize(("name", "size", "rounded", "maskable"), icons.PNGS)
def test_the_committed_png_matches_the_drawing(
    name: str, size: int, rounded: bool, maskable: bool
) -> None:
    with Image.open(icons.FOLDER / name) as committed:
        assert committed.size == (size, size)
        drawn = icons.draw_icon(size, rounded, maskable)
        difference = ImageChops.difference(committed.convert("RGBA"), drawn).getbbox()
    assert difference is None, f"{name} is out of date: run python -m dateline.lib.icons"


def test_the_svg_is_the_committed_one() -> None:
    assert (icons.FOLDER / "icon.svg").read_text() == icons.SVG


def test_a_maskable_icon_keeps_the_letter_inside_the_safe_circle(tmp_path: Path) -> None:
    icons.write_icons(tmp_path)
    with Image.open(tmp_path / "icon-maskable-512.png") as image:
        rgba = image.convert("RGBA")
        # Outside a circle of radius 40% the icon is plain red: a mask may cut it away.
        for x, y in ((40, 40), (470, 470), (256, 40), (40, 256)):
            assert rgba.getpixel((x, y)) == (*icons.RED, 255)
        # The letter's stem is paper-white inside it.
        assert rgba.getpixel((180, 256)) == (*icons.PAPER, 255)
