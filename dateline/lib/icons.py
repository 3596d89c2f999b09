"""The publication's icons: a paper-white "D" on the accent red, as SVG and PNG.

The PNGs in dateline/static/dateline/icons/ are made by this module and committed, so
serving them needs nothing at run time. After changing the drawing, run

    .venv/bin/python -m dateline.lib.icons

and commit the files; tests/lib/test_icons.py fails while they differ from the drawing.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

FOLDER = Path(__file__).resolve().parent.parent / "static" / "dateline" / "icons"
RED = (163, 32, 15)
PAPER = (253, 252, 249)
# The letter on a 100-unit square: a stem and a half-ellipse bowl, its counter cut out.
OUTER = ((30, 24, 50, 76), (26, 24, 74, 76))
INNER = ((42, 35, 50, 65), (38, 35, 62, 65))
# name, size in pixels, rounded corners, maskable (the letter kept in the safe circle)
PNGS = (
    ("icon-32.png", 32, True, False),
    ("icon-180.png", 180, False, False),
    ("icon-192.png", 192, True, False),
    ("icon-512.png", 512, True, False),
    ("icon-maskable-512.png", 512, False, True),
)
SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<rect width="100" height="100" rx="18" fill="#a3200f"/>
<path fill="#fdfcf9" fill-rule="evenodd"
 d="M30 24H50A24 26 0 0 1 50 76H30Z M42 35H50A12 15 0 0 1 50 65H42Z"/>
</svg>
"""
OVERSAMPLE = 4


def draw_icon(size: int, rounded: bool = True, maskable: bool = False) -> Image.Image:
    """The icon at ``size`` pixels, drawn large and scaled down for smooth edges."""
    big = size * OVERSAMPLE
    unit = big / 100
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=18 * unit, fill=RED)
    else:
        draw.rectangle((0, 0, big, big), fill=RED)
    # A maskable icon may be cut to a circle of 80% of its width: shrink the letter into it.
    scale = 0.8 if maskable else 1.0

    def box(b: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = ((50 + (v - 50) * scale) * unit for v in b)
        return (x0, y0, x1, y1)

    for colour, (stem, bowl) in ((PAPER, OUTER), (RED, INNER)):
        draw.rectangle(box(stem), fill=colour)
        draw.pieslice(box(bowl), start=-90, end=90, fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_icons(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, size, rounded, maskable in PNGS:
        path = folder / name
        draw_icon(size, rounded, maskable).save(path, optimize=True)
        written.append(path)
    svg = folder / "icon.svg"
    svg.write_text(SVG)
    written.append(svg)
    return written


if __name__ == "__main__":
    for path in write_icons():
        print(path)
