"""Photos uploaded in the admin lose GPS, device and other metadata, keeping credit and rights."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dateline.newsroom.models import Photo
from dateline.newsroom.uploads import ARTIST, COPYRIGHT, strip_metadata

pytestmark = pytest.mark.django_db

GPS_IFD, MAKE, SERIAL, ORIENTATION, DESCRIPTION = 0x8825, 0x010F, 0xA431, 0x0112, 0x010E


def camera_jpeg(orientation: int = 1) -> bytes:
    """A 60 x 40 photo as a phone would write it: place, device, serial, credit, rights."""
    image = Image.new("RGB", (60, 40), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "Examplephone"
    exif[DESCRIPTION] = "Taken outside the source's flat"
    exif[ARTIST] = "Ana Reporter"
    exif[COPYRIGHT] = "2026 Northwind Press"
    exif[ORIENTATION] = orientation
    exif.get_ifd(0x8769)[SERIAL] = "SN-0042"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def read_exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def test_only_credit_and_copyright_survive():
    cleaned = strip_metadata(camera_jpeg())
    assert cleaned is not None
    exif = read_exif(cleaned)
    assert exif[ARTIST] == "Ana Reporter" and exif[COPYRIGHT] == "2026 Northwind Press"
    assert MAKE not in exif and DESCRIPTION not in exif
    assert not exif.get_ifd(GPS_IFD) and SERIAL not in exif.get_ifd(0x8769)
    assert b"Examplephone" not in cleaned and b"SN-0042" not in cleaned


def test_a_sideways_photo_is_turned_upright():
    cleaned = strip_metadata(camera_jpeg(orientation=6))  # "rotate 90° clockwise to view"
    assert cleaned is not None
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (40, 60)
        assert ORIENTATION not in image.getexif()


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address of the photographer")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(out, "PNG", pnginfo=info)
    cleaned = strip_metadata(out.getvalue())
    assert cleaned is not None and b"home address" not in cleaned


def test_an_upload_through_the_admin_is_stored_clean(client):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    client.force_login(boss)
    upload = SimpleUploadedFile("harbour.jpg", camera_jpeg(orientation=6), "image/jpeg")
    response = client.post(
        "/admin/images/add/",
        {"title": "Harbour at dawn", "file": upload, "credit": "Photo from Northwind Press"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = Photo.objects.get(title="Harbour at dawn")
    with photo.file.open("rb") as stored:
        data = stored.read()
    assert b"Examplephone" not in data and b"SN-0042" not in data
    assert read_exif(data)[COPYRIGHT] == "2026 Northwind Press"
    assert (photo.width, photo.height) == (40, 60)
    assert photo.file_size == len(data)


def test_a_file_that_is_not_an_image_is_refused(client):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    client.force_login(boss)
    upload = SimpleUploadedFile("harbour.jpg", b"<?php echo 'hello'; ?>", "image/jpeg")
    response = client.post("/admin/images/add/", {"title": "Not a photo", "file": upload})
    assert response.status_code == 200  # the form again, with its error
    assert not Photo.objects.filter(title="Not a photo").exists()
