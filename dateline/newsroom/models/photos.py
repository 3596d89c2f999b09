"""Photos with their own caption, credit and rights, and the rendition specs the templates use."""

from __future__ import annotations

import functools

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Filter, Image
from wagtail.search import index


def shared_filter(filter: Filter | str) -> Filter:
    """One Filter per spec for the whole process.

    Wagtail's image tags make a new Filter on every render, and each one parses its spec
    into operations again (through inspect.getcallargs, a tenth of a millisecond each):
    a page with five photos paid for some twenty-five parses a render. A parsed Filter
    holds nothing but its spec's operations, so one can serve every render.
    """
    return _filter_for(filter if isinstance(filter, str) else filter.spec)


@functools.lru_cache(maxsize=256)
def _filter_for(spec: str) -> Filter:
    return Filter(spec=spec)


class Photo(AbstractImage):
    """An image that carries its own caption, credit and rights, so they travel with it."""

    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text='The credit line printed with the photo, e.g. "Photo from AP".',
    )
    copyright = models.CharField(max_length=200, blank=True, help_text="e.g. © 2026 Agency")
    licence = models.CharField(
        max_length=200, blank=True, help_text="Terms of use, e.g. editorial use only"
    )

    admin_form_fields = (
        *Image.admin_form_fields,
        "caption",
        "credit",
        "copyright",
        "licence",
    )

    search_fields = [*AbstractImage.search_fields, index.SearchField("caption")]

    @property
    def alt(self) -> str:
        return str(self.default_alt_text)

    def get_rendition(self, filter: Filter | str) -> AbstractRendition:
        """Wagtail's, without storing again in the cache a rendition that was prefetched.

        Wagtail's own stores every rendition it returns in the renditions cache, even one
        it found among the renditions loaded with the photo (as an article's lead photo
        is): a cache write on every render of the page for nothing.
        """
        spec = shared_filter(filter)
        if self._get_prefetched_renditions() is not None:
            try:
                return self.find_existing_rendition(self.clean_filter_for_svg(spec))
            except self.get_rendition_model().DoesNotExist:
                pass  # made, stored and cached by Wagtail below
        return super().get_rendition(spec)

    def get_renditions(self, *filters: Filter | str) -> dict[str, AbstractRendition]:
        return super().get_renditions(*(shared_filter(f) for f in filters))


class PhotoRendition(AbstractRendition):
    image = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


# Rendition specs the templates use, prefetched together so an article page costs
# one query for all of its photos' renditions.
LEAD_RENDITIONS = ("width-480|format-webp", "width-800|format-webp", "width-1200|format-webp")
# The lead photo as shared: og:image, the JSON-LD image and the feeds' enclosure.
SHARE_RENDITION = "width-1200|format-jpeg"
# The lead photo in the three shapes Google's article rich results ask for (16:9, 4:3
# and 1:1), cropped around the focal point.
SCHEMA_RENDITIONS = (
    "fill-1200x675|format-jpeg",
    "fill-1200x900|format-jpeg",
    "fill-1200x1200|format-jpeg",
)
CARD_RENDITIONS = ("fill-400x225|format-webp", "fill-800x450|format-webp")
FALLBACK_RENDITION = "width-800|format-jpeg"
