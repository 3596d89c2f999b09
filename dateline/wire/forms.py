"""The article editor's form: the wire's embargoes, and the quote check where a section asks."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dateline.newsroom.models import ArticleForm
from dateline.wire.models import QuoteCheckPolicy, embargo_lifts
from dateline.wire.quotes import check_article


class QuoteCheckedArticleForm(ArticleForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "action-publish" not in self.data:
            return cleaned
        self._check_embargo(cleaned)
        if "body" not in cleaned:
            return cleaned
        section = getattr(self, "parent_page", None)
        if section is None and self.instance.pk:
            section = self.instance.get_parent()
        if (
            section is None
            or not QuoteCheckPolicy.objects.filter(section_id=section.pk, blocking=True).exists()
        ):
            return cleaned
        missing = [
            v for v in check_article(self.instance, cleaned["body"]) if v.verdict == "missing"
        ]
        if missing:
            lines = "; ".join(
                f"“{v.quote[:80]}”" + (f" (closest: “{v.passage[:80]}”)" if v.passage else "")
                for v in missing
            )
            self.add_error(
                "body",
                f"{section.title} publishes only quotes found in the cited wire sources. "
                f"Not found: {lines}. Correct the quote, cite the report it came from, or "
                "save a draft.",
            )
        return cleaned

    def _check_embargo(self, cleaned: dict[str, Any]) -> None:
        """A story written from an embargoed report goes live at the embargo or later."""
        embargo = embargo_lifts(self.instance)
        go_live = cleaned.get("go_live_at")
        if embargo is None or (go_live is not None and go_live >= embargo):
            return
        when = timezone.localtime(embargo).strftime("%d %b %Y %H:%M")
        message = (
            f"This story uses a wire report embargoed until {when}. Set “Go-live date/time” "
            "to that time or later to schedule it, or save a draft."
        )
        self.add_error("go_live_at" if "go_live_at" in self.fields else None, message)
