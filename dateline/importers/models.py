"""What an import brought in, keyed by the source's own id, so a re-run finds it again."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedItem(models.Model):
    """One thing from a source (a post, an author, a section) and the object it became.

    ``fingerprint`` is a hash of the item as the export had it: the same item in a
    newer export with another fingerprint is updated, with the same one left alone.
    """

    source = models.CharField(max_length=20)  # "wordpress", later "ghost", "substack"
    kind = models.CharField(max_length=20)  # "post", "author", "section"
    source_id = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="importers_one_per_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"
