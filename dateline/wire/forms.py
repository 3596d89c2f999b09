"""The article editor's form with the quote check: blocking where a section asks for it."""

from __future__ import annotations

from typing import Any

from dateline.newsroom.models import ArticleForm
from dateline.wire.models import QuoteCheckPolicy
from dateline.wire.quotes import check_article


class QuoteCheckedArticleForm(ArticleForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "action-publish" not in self.data or "body" not in cleaned:
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
