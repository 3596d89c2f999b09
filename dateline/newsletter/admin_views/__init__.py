"""The newsletter in Wagtail's admin: subscribers, their consent, growth, imports, suppressions.

Access follows Django model permissions on Subscriber and Suppression, which
Wagtail's group settings show: superusers have them all, editors none until
given. Viewing needs any Subscriber permission, suppressing "change", importing
"add" and erasing "delete". Subscribers can't be created or edited here: an
address enters the list only by confirming, or by an import.
"""

from __future__ import annotations

from dateline.newsletter.admin_views.access import ANY, can
from dateline.newsletter.admin_views.growth import GrowthPanel, GrowthViewSet
from dateline.newsletter.admin_views.imports import ImportViewSet
from dateline.newsletter.admin_views.subscribers import SubscriberViewSet
from dateline.newsletter.admin_views.suppressions import SuppressionViewSet

__all__ = [
    "ANY",
    "GrowthPanel",
    "GrowthViewSet",
    "ImportViewSet",
    "SubscriberViewSet",
    "SuppressionViewSet",
    "can",
]
# The Newsletter menu, which also holds the digests, is put together by the digests app
# (digests/wagtail_hooks.py): the newsletter sits below it and does not import it.
