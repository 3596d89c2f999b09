"""Staff mail, sent by the worker: the link that lets an account set up two-step sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django_tasks import task

from dateline.lib.emails import make_message
from dateline.ops.setuplinks import setup_link


@task()
def send_setup_link(user_id: int) -> bool:
    # The link is made here, not in the view: it never waits in the task table.
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    make_message(
        "ops/emails/two-factor-link",
        {
            "user": user,
            "link": setup_link(user),
            "hours": settings.STAFF_TWO_FACTOR_LINK_HOURS,
        },
        user.email,
    ).send()
    return True
