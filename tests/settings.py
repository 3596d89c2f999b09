"""The test run's settings (pytest-django's DJANGO_SETTINGS_MODULE, pyproject.toml).

dateline.settings with what a test needs instead: no debug pages, a cache of the
process's own (or Redis under its own prefix), tasks run inline unless a test asks
for the queue, one digest lane, and static files by their plain names (no
collectstatic). The environment still overrides each, as in production.

Processes the tests start (`dateline run`, `serve`, `worker`) run dateline.settings:
tests/conftest.py puts it back in the environment they inherit.
"""

from __future__ import annotations

from django.conf import global_settings

from dateline.lib.env import envbool, envint, envstr
from dateline.settings import *  # noqa: F403
from dateline.settings import CACHES, REDIS_URL, STORAGES, USE_OUTBOX_SMTP

DEBUG = envbool("DEBUG", False)

CACHE_KEY_PREFIX = envstr("CACHE_KEY_PREFIX", "dateline-test")
if REDIS_URL:
    CACHES = {alias: {**cache, "KEY_PREFIX": CACHE_KEY_PREFIX} for alias, cache in CACHES.items()}
else:
    CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_immediate = "django_tasks.backends.immediate.ImmediateBackend"
TASKS = {"default": {"BACKEND": envstr("TASKS_BACKEND", _immediate)}}

# Other threads cannot see a test's uncommitted rows.
DIGEST_CONCURRENCY = envint("DIGEST_CONCURRENCY", 1)
# So page views and digest clicks are written by a test's own flush(), never by the
# tallies' threads (dateline.lib.tally).
PAGE_VIEW_FLUSH_SECONDS = envint("PAGE_VIEW_FLUSH_SECONDS", 24 * 3600)
CLICK_FLUSH_SECONDS = envint("CLICK_FLUSH_SECONDS", 24 * 3600)

# Digests go to a test's own SMTP server (the mail_server fixture), never to the
# outbox's SMTP side that `dateline run` starts.
if USE_OUTBOX_SMTP:
    EMAIL_HOST, EMAIL_PORT = global_settings.EMAIL_HOST, global_settings.EMAIL_PORT

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
