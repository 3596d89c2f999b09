"""Abstract stand-in photos for the demo, drawn with Pillow from a seed.

The demo must not ship anyone's real photographs, and it must run offline, so
every lead photo is painted here: a soft gradient, a few blurred shapes and some
crisp bands of colour. The same seed always paints the same picture.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 900
# Shapes are painted on a small canvas and scaled up: the bicubic upscale blurs
# them for free, where a Gaussian blur at full size would cost far more.
SKETCH_WIDTH, SKETCH_HEIGHT = 320, 180

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    name: str
    colours: tuple[RGB, ...]


# One mood per section, so a front page of cards still looks like a newspaper
# and not like a box of crayons.
PALETTES: dict[str, Palette] = {
    "world": Palette(
        "deep blue and sea green",
        ((18, 42, 74), (32, 96, 128), (70, 150, 160), (214, 226, 222), (236, 176, 92)),
    ),
    "politics": Palette(
        "navy and crimson",
        ((22, 28, 58), (58, 70, 120), (150, 32, 48), (226, 214, 196), (200, 160, 80)),
    ),
    "business": Palette(
        "green and gold",
        ((16, 52, 44), (34, 104, 78), (120, 160, 96), (232, 206, 120), (246, 240, 222)),
    ),
    "science": Palette(
        "violet and cyan",
        ((26, 18, 60), (72, 44, 130), (40, 150, 190), (150, 220, 230), (240, 236, 250)),
    ),
    "climate": Palette(
        "moss, ochre and sky",
        ((40, 64, 36), (96, 128, 60), (196, 150, 60), (130, 180, 210), (236, 228, 200)),
    ),
    "culture": Palette(
        "magenta and orange",
        ((60, 16, 48), (150, 40, 96), (230, 110, 60), (246, 190, 110), (250, 236, 226)),
    ),
}


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def paint(seed: int, palette: Palette) -> Image.Image:
    """A WIDTH x HEIGHT abstract picture in ``palette``, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    colours = list(palette.colours)
    rng.shuffle(colours)
    sky, ground, *accents = colours

    # A gradient at an angle: a linear ramp, rotated, used as the mask between two colours.
    ramp = Image.linear_gradient("L").resize((SKETCH_WIDTH * 2, SKETCH_WIDTH * 2))
    ramp = ramp.rotate(rng.uniform(-60, 60), resample=Image.Resampling.BILINEAR)
    left = (ramp.width - SKETCH_WIDTH) // 2
    top = (ramp.height - SKETCH_HEIGHT) // 2
    mask = ramp.crop((left, top, left + SKETCH_WIDTH, top + SKETCH_HEIGHT))
    sketch = Image.composite(
        Image.new("RGB", mask.size, ground), Image.new("RGB", mask.size, sky), mask
    )

    # Translucent discs and lozenges, softened below.
    layer = Image.new("RGBA", sketch.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(3, 7)):
        colour = rng.choice(accents)
        x, y = rng.uniform(-40, SKETCH_WIDTH), rng.uniform(-40, SKETCH_HEIGHT)
        w, h = rng.uniform(30, 160), rng.uniform(20, 120)
        shape = (x, y, x + w, y + h)
        fill = (*colour, rng.randint(70, 170))
        if rng.random() < 0.6:
            draw.ellipse(shape, fill=fill)
        else:
            draw.rounded_rectangle(shape, radius=min(w, h) / 3, fill=fill)
    sketch = Image.alpha_composite(sketch.convert("RGBA"), layer).convert("RGB")
    # A little blur hides the upscale's stair-steps; more looks like a wide-open
    # lens. Blurring the flattened sketch, not the transparent layer, avoids dark
    # fringes round the shapes.
    sketch = sketch.filter(ImageFilter.GaussianBlur(rng.choice((0.8, 1, 1.5, 2.5, 4))))
    picture = sketch.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)

    # Crisp bands at full size give the eye something sharp, like a horizon or a
    # railing. Each is blended into its own strip only, which costs far less than
    # compositing a whole transparent layer.
    horizontal = rng.random() < 0.65
    position = rng.uniform(0.45, 0.8)
    for _ in range(rng.randint(2, 5)):
        thickness = rng.choice((3, 6, 14, 28, 60))
        colour = _mix(rng.choice(accents), (255, 255, 255), rng.uniform(0, 0.3))
        if horizontal:
            start = min(int(HEIGHT * position), HEIGHT - thickness)
            box = (0, start, WIDTH, start + thickness)
        else:
            start = min(int(WIDTH * position), WIDTH - thickness)
            box = (start, 0, start + thickness, HEIGHT)
        strip = picture.crop(box)
        paint_over = Image.new("RGB", strip.size, colour)
        picture.paste(Image.blend(strip, paint_over, rng.uniform(0.45, 0.85)), box[:2])
        position += rng.uniform(0.02, 0.09)
    return picture


def jpeg_bytes(seed: int, palette: Palette, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    paint(seed, palette).save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def describe(palette: Palette) -> str:
    """Alt text that tells the truth: these are abstract pictures, not scenes."""
    return f"Abstract demo image: soft shapes and bands of colour in {palette.name}"
