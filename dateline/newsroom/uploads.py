"""Photo uploads leave the newsroom without their hidden metadata, except credit and copyright.

A camera or phone writes far more into a photo than the picture: the place it
was taken (GPS), the device and its serial number, the time, a thumbnail that
may show the uncropped original, editing history. Published as is, that can
expose a source or a photographer. Every upload through the admin is therefore
re-written (``PhotoForm``) with only:

* the pixels, turned upright by their EXIF orientation first,
* the EXIF Artist and Copyright tags (the credit and the rights),
* the colour profile (ICC), without which colours shift.

JPEG, PNG and WebP are re-written (JPEG and WebP at quality 95). Animated images
and other formats are kept as uploaded. The type is read from the file's
content by Pillow, never from its name; Wagtail refuses what Pillow cannot read,
and its size and pixel limits apply first (``WAGTAILIMAGES_MAX_*``).
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image, ImageOps
from wagtail.images.forms import BaseImageForm

ARTIST, COPYRIGHT = 0x013B, 0x8298
KEPT_TAGS = (ARTIST, COPYRIGHT)
REWRITTEN = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def strip_metadata(data: bytes) -> bytes | None:
    """The image re-written without metadata but credit, copyright and colour profile.

    None when it is kept as uploaded (a format we do not re-write, or animated).
    """
    with Image.open(io.BytesIO(data)) as original:
        kind = original.format or ""
        if kind not in REWRITTEN or getattr(original, "is_animated", False):
            return None
        source_exif = original.getexif()
        icc = original.info.get("icc_profile")
        upright = ImageOps.exif_transpose(original)
        kept = Image.Exif()
        for tag in KEPT_TAGS:
            if tag in source_exif:
                kept[tag] = source_exif[tag]
        options: dict[str, Any] = {"exif": kept.tobytes()} if len(kept) else {}
        if icc:
            options["icc_profile"] = icc
        if kind in ("JPEG", "WEBP"):
            options["quality"] = 95
        if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        out = io.BytesIO()
        upright.save(out, kind, **options)
        return out.getvalue()


class PhotoForm(BaseImageForm):
    """Wagtail's image form (WAGTAILIMAGES_IMAGE_FORM_BASE), stripping new uploads."""

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return upload  # no new file: the stored one was cleaned when it came
        upload.seek(0)
        data = upload.read()
        cleaned = strip_metadata(data)
        upload.seek(0)
        if cleaned is None:
            return upload
        # Width and height are read again from these bytes when the photo is saved, so a
        # photo turned upright gets its new proportions.
        return SimpleUploadedFile(
            upload.name or "photo", cleaned, content_type=upload.content_type or ""
        )
