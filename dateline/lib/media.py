"""Where uploaded photos are stored: the media folder, or S3-compatible storage."""

from __future__ import annotations

from typing import Any


def s3_storage(
    bucket: str, *, endpoint_url: str, region: str, custom_domain: str
) -> dict[str, Any]:
    """Django's STORAGES["default"] for django-storages' S3 backend (AWS, MinIO, Ceph...)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "custom_domain": custom_domain or None,
            # Photos are public and their names never reused: plain, cacheable URLs.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
