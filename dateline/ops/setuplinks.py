"""Two-factor set-up links: signed, for one account, used once, expiring (twofactor.py).

Apart from the views so that the task mailing a link (tasks.py) and the views
queueing it import each other neither way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

# Unchanged since the links lived in twofactor.py: links already sent stay valid.
LINK_SALT = "dateline.ops.twofactor.setup-link"


def needs_setup(user: Any) -> bool:
    """The user has no confirmed authenticator app yet."""
    return not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _link_state(user: Any) -> str:
    # Changes when the app is set up, or the password or address changes: one use only.
    state = f"{user.pk}|{user.password}|{user.email}|{needs_setup(user)}"
    return salted_hmac(LINK_SALT, state).hexdigest()[:20]


def setup_link(user: Any) -> str:
    """A one-time link that lets ``user``, signed in, set up an authenticator app."""
    token = signing.dumps({"u": user.pk, "s": _link_state(user)}, salt=LINK_SALT)
    return settings.BASE_URL + reverse("two_factor_link", args=[token])


def user_for_link(token: str) -> Any | None:
    max_age = settings.STAFF_TWO_FACTOR_LINK_HOURS * 3600
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not constant_time_compare(str(data.get("s")), _link_state(user)):
        return None
    return user
