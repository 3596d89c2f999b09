from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "harbour-1.2.xml"
MAPPING = FIXTURES / "mapping.toml"
GHOST_EXPORT = FIXTURES / "ghost-5.json"


def jpeg(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def media(tmp_path) -> Path:
    """A copy of wp-content/uploads: what the export refers to, less two missing files.

    ferry-copy.jpg is ferry.jpg under another name, to be stored once.
    """
    root = tmp_path / "uploads"
    (root / "2024" / "03").mkdir(parents=True)
    (root / "2024" / "02").mkdir(parents=True)
    ferry = jpeg((20, 60, 120))
    (root / "2024/03/ferry.jpg").write_bytes(ferry)
    (root / "2024/03/ferry-copy.jpg").write_bytes(ferry)
    (root / "2024/03/quay.jpg").write_bytes(jpeg((120, 90, 40)))
    (root / "2024/03/ropes.jpg").write_bytes(jpeg((90, 30, 30)))
    (root / "2024/02/roof.jpg").write_bytes(jpeg((60, 60, 60)))
    return root


@pytest.fixture
def export_copy(tmp_path) -> Path:
    target = tmp_path / "export.xml"
    shutil.copy(EXPORT, target)
    return target
