"""The figures panel of an issue's admin page: what went out, what came back, what was clicked.

A template of its own (digests/admin/figures.html), included by the issue page.
"""

from __future__ import annotations

import re

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse

from dateline.digests import engagement
from dateline.digests.figures import issue_figures
from dateline.digests.models import DeliveryClick, DigestIssue
from dateline.newsletter.models import ConsentText

# What a consent text that tells readers about per-reader engagement says: a word for
# keeping count, then what of, in one sentence ("we record which links you click").
# Not "one click" alone: every text says unsubscribing takes one.
ENGAGEMENT_WORDS = re.compile(
    r"engagement|\b(?:track|record|measur|count|note|see|know)\w*[^.]*?\b(?:click|open|link)",
    re.IGNORECASE,
)


def consent_mentions_engagement(text: str) -> bool:
    return bool(ENGAGEMENT_WORDS.search(text))


def figures_panel(issue: DigestIssue) -> str:
    """The panel's HTML, or "" for an issue not sent and not clicked (nothing to count)."""
    figures = issue_figures(issue)
    unsent = issue.status in (DigestIssue.Status.DRAFT, DigestIssue.Status.SCHEDULED)
    if unsent and not (figures.recipients or figures.clicks):
        return ""
    switches = engagement.switches()
    consent = ConsentText.current()
    readers_clicked = None
    if switches.reader_engagement:
        readers_clicked = DeliveryClick.objects.filter(delivery__issue=issue).aggregate(
            n=Count("delivery", distinct=True)
        )["n"]
    return render_to_string(
        "digests/admin/figures.html",
        {
            "issue": issue,
            "figures": figures,
            "open_tracking": switches.open_tracking,
            "reader_engagement": switches.reader_engagement,
            "readers_clicked": readers_clicked,
            # Turned on without telling readers: the editor should know before sending more.
            "consent_silent": switches.reader_engagement
            and not consent_mentions_engagement(consent.text),
            "consent_version": consent.version,
            "csv_url": reverse("audience:issue_csv", args=[issue.pk]),
        },
    )
