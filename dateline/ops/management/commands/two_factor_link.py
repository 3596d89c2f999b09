"""``dateline two-factor-link USER``: print a one-time link to set up two-step sign-in.

For an account whose address gets no mail yet, such as the first account of a new
site; whoever runs it has the server, so the link stands in for the mailbox.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.ops.setuplinks import setup_link


class Command(BaseCommand):
    help = "Print a one-time link with which a signed-in account sets up its authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: options["username"]}).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active account is called {options['username']!r}.")
        hours = settings.STAFF_TWO_FACTOR_LINK_HOURS
        self.stdout.write(
            f"Sign in as {user.get_username()} at {settings.BASE_URL}/admin/, then open this "
            f"link in the same browser (it works once, for {hours} hours):\n\n"
            f"  {setup_link(user)}\n"
        )
