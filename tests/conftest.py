from __future__ import annotations

import os

import pytest
from django.core.cache import caches

# This run has read its settings (tests/settings.py) already. Processes the tests start
# (`dateline run`, `serve`, `worker`, `python -c`) inherit the environment, and run
# the site's own settings unless a test names others.
os.environ["DJANGO_SETTINGS_MODULE"] = "dateline.settings"


@pytest.fixture(autouse=True)
def _fresh_cache(settings, tmp_path):
    """Each test starts with empty caches and its own media and wire drop folders."""
    from dateline.lib import pagecache
    from dateline.newsroom import pageviews

    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo's agencies drop their feeds here (dateline/wire/demo.py), not in var/.
    settings.WIRE_DROP_ROOT = tmp_path / "wire-drop"
    pageviews.forget()
    for alias in ("default", "renditions"):
        caches[alias].clear()
    pagecache.forget_local()
    yield
    # Unsaved views would otherwise be written at exit, after the test database is gone.
    pageviews.forget()
    for alias in ("default", "renditions"):
        caches[alias].clear()


@pytest.fixture
def home(db):
    from tests.factories import make_home

    return make_home()


@pytest.fixture
def world(home):
    from tests.factories import make_section

    return make_section(home, "World News")


@pytest.fixture
def staff(client):
    """The test client, signed in as a superuser."""
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", password=None)
    client.force_login(boss)
    return client


@pytest.fixture
def keep_test_connection():
    """For requests through the WSGI entry point (tests/helpers/wsgi.py): as Django's test
    client does, a finished request leaves the connection open, since the test's
    transaction lives on it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def mail_server(settings):
    """Mail sent during the test, Django's and the digest engine's, goes over SMTP to a
    real server (tests/helpers/mailserver.py); read it back from here."""
    from tests.helpers.mailserver import MailServer

    server = MailServer().use(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(django_db_setup: None):
    """One Chromium for the whole session, for tests/browser and tests/journeys alike.

    Here, not in either folder's conftest: Playwright's sync API runs one event loop per
    thread, so a second session-wide Chromium started beside the first fails.
    """
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, django_survives_playwright

    # The test database is made first, so that its snapshot is taken outside
    # Playwright's event loop (see django_survives_playwright).
    with django_survives_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
