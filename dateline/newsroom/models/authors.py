"""Authors: people and organisations (a news agency) who write or supply stories."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.snippets.models import register_snippet


class Author(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation (e.g. a news agency)"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Foreign correspondent")
    bio = models.TextField(blank=True)
    url = models.URLField(blank=True, help_text="The author's or organisation's own site")

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("url"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "author"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/authors/{self.slug}/"

    @property
    def is_organisation(self) -> bool:
        return self.kind == self.Kind.ORGANISATION

    @property
    def schema_type(self) -> str:
        return "Organization" if self.is_organisation else "Person"


register_snippet(Author)
