"""Views of each article per day, counted in our own database (see newsroom.pageviews)."""

from __future__ import annotations

from django.db import models
from wagtail.models import Page


class PageViewDay(models.Model):
    """Views of one article on one day, counted in our own database, no tracker."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "day"], name="one_row_per_page_day")]

    def __str__(self) -> str:
        return f"{self.page_id} {self.day}: {self.views}"
