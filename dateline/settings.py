"""Dateline settings: one module, every knob read from the environment.

Defaults run a whole newsroom on one machine with SQLite and no configuration.
``DATELINE_ENV=production`` switches to safe production behaviour and refuses to
start when that would be unsafe (DEBUG on, the development secret key).
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dateline.lib.emailurl import parse_email_url, relay_settings
from dateline.lib.env import envbool, envint, envlist, envnetworks, envstr
from dateline.lib.logconfig import logging_config
from dateline.lib.media import s3_storage
from dateline.lib.search import postgres_search_config
from dateline.lib.vardir import dev_key_file, development_secret, var_dir

BASE_DIR = Path(__file__).resolve().parent.parent
# Made by the entry points (dateline/lib/vardir.py): importing the settings writes nothing.
VAR_DIR = var_dir()

DATELINE_ENV = envstr("DATELINE_ENV", "development")
if DATELINE_ENV not in ("development", "production"):
    raise ImproperlyConfigured("DATELINE_ENV must be 'development' or 'production'")
PRODUCTION = DATELINE_ENV == "production"

DEBUG = envbool("DEBUG", not PRODUCTION)

# The development key lives in var/ so sessions survive restarts; production must
# bring its own.
DEV_SECRET_KEY_FILE = dev_key_file(VAR_DIR)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Dateline refuses to start in production without SECRET_KEY. "
            'Set it to a long random value, e.g. python3 -c "import secrets; '
            'print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = development_secret(DEV_SECRET_KEY_FILE)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured(
            "Dateline refuses to start in production with DEBUG on: it would show "
            "tracebacks and settings to readers. Unset DEBUG or set DEBUG=false."
        )
    if DEV_SECRET_KEY_FILE.exists() and DEV_SECRET_KEY_FILE.read_text().strip() == SECRET_KEY:
        raise ImproperlyConfigured(
            "Dateline refuses to start in production with the development secret key "
            f"from {DEV_SECRET_KEY_FILE}. Set SECRET_KEY to a new random value."
        )

PORT = envint("PORT", 8000)
BASE_URL = envstr("BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
_base_host = BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
if _base_host and _base_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_base_host)
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "dateline.newsroom",
    "dateline.newsletter",
    "dateline.comments",
    "dateline.digests",
    "dateline.outbox",
    "dateline.scheduler",
    "dateline.ops",
    "dateline.wire",
    "dateline.importers",
    "dateline.live",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "corsheaders",
]

MIDDLEWARE = [
    # Request ids, request metrics (dateline/ops/observe.py): outside the page cache,
    # so a stored page never carries the id of the request that made it.
    "dateline.ops.observe.ObserveMiddleware",
    # CORS for the signup API only (CORS_URLS_REGEX); answers its preflights itself.
    "corsheaders.middleware.CorsMiddleware",
    # Brotli or gzip for text answers (dateline/lib/compression.py): above the
    # conditional and page-cache middleware, which compare and store identity bodies.
    "dateline.lib.compression.CompressionMiddleware",
    # 304s by RFC 9110 for what the page cache does not keep (a reader with a session,
    # an unknown query string): an ETag of the body, the view's Last-Modified.
    "django.middleware.http.ConditionalGetMiddleware",
    # Next: stores the finished anonymous response, security headers and all,
    # for dateline.lib.pagecache, which answers repeat requests in wsgi.py before
    # Django is entered at all.
    # WordPress's /?p=123 links, imported as redirects: the home page would answer
    # them with a 200, so they are checked before the page cache (which does not keep
    # pages with unknown query strings anyway).
    "dateline.importers.middleware.OldQueryRedirectMiddleware",
    "dateline.lib.pagecache.PageCacheMiddleware",
    # Marks a page showing one commenter's own held or editable comments as private.
    "dateline.comments.middleware.PersonalPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dateline.lib.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dateline.ops.logins.LoginThrottleMiddleware",
    # Staff need a second factor for the admin (dateline/ops/twofactor.py).
    "django_otp.middleware.OTPMiddleware",
    "dateline.ops.twofactor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "dateline.urls"
WSGI_APPLICATION = "dateline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dateline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dateline.newsroom.context_processors.site_chrome",
            ],
        },
    },
]

# Database -------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dateline.sqlite3'}")
DATABASES: dict[str, Any] = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers queueing for their turn (dateline/lib/sqlitedb).
    DATABASES["default"]["ENGINE"] = "dateline.lib.sqlitedb"
    # Kept open per thread: opening SQLite for every request doubled a signup's cost.
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 600)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers queue on the busy timeout instead of
        # failing with "database is locked" halfway through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Without it psycopg waits 130 s for a server that does not answer (down behind a
        # firewall that drops packets, a host gone); requests would hang instead of getting
        # the 503 of dateline/ops/unavailable.py. psycopg treats under 2 s as 2 s; a
        # ?connect_timeout= in DATABASE_URL wins.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", envint("DB_CONNECT_TIMEOUT", 5)
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache ----------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL")
CACHE_KEY_PREFIX = envstr("CACHE_KEY_PREFIX", "dateline")
if REDIS_URL:
    _cache: dict[str, Any] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            # A Redis outage must cost readers the cache, not the page.
            "IGNORE_EXCEPTIONS": True,
        },
    }
else:
    # One SQLite file shared by the server's worker processes, so one publish
    # invalidates all (dateline/lib/sqlitecache.py says why not Django's file cache).
    _cache = {
        "BACKEND": "dateline.lib.sqlitecache.SQLiteCache",
        "LOCATION": str(VAR_DIR / "cache.sqlite3"),
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 5000)},
    }
# Wagtail's rendition cache, per process unless Redis is shared (renditions never change).
_renditions = (
    {**_cache, "TIMEOUT": 7 * 86400}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "renditions"}
)
CACHES = {"default": _cache, "renditions": _renditions}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 3600)
PAGE_CACHE_BROWSER_SECONDS = envint("PAGE_CACHE_BROWSER_SECONDS", 60)
# A proxy's s-maxage; 1 keeps every page, banner included, current in seconds (decision 0012).
PAGE_CACHE_PROXY_SECONDS = envint("PAGE_CACHE_PROXY_SECONDS", PAGE_CACHE_SECONDS)
# How long a process trusts its copy of the cache generation (a publish's delay).
PAGE_CACHE_GENERATION_SECONDS = float(envstr("PAGE_CACHE_GENERATION_SECONDS", "1"))
# How often a live blog's readers poll (live.js); an unchanged poll is a cached 304.
LIVE_POLL_SECONDS = envint("LIVE_POLL_SECONDS", 2, minimum=1)

# Tasks ----------------------------------------------------------------------
# Through the database; `dateline worker` runs them (tests: inline, tests/settings.py).
TASKS = {"default": {"BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A RUNNING task whose worker sent no heartbeat for the lease goes back in the queue,
# failed after TASK_MAX_ATTEMPTS dead workers (dateline/scheduler/workers.py).
TASK_HEARTBEAT_SECONDS = float(envstr("TASK_HEARTBEAT_SECONDS", "10"))
TASK_LEASE_SECONDS = float(envstr("TASK_LEASE_SECONDS", "60"))
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 3)
if TASK_LEASE_SECONDS < 3 * TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "TASK_LEASE_SECONDS must be at least three times TASK_HEARTBEAT_SECONDS, so a "
        "worker that misses a heartbeat or two is not taken for dead."
    )

# Email ----------------------------------------------------------------------
_email = parse_email_url(envstr("EMAIL_URL"))
EMAIL_BACKEND = _email.backend
# An ESP (django-anymail) sends the site's own mail through its API. Its bounce and
# complaint webhooks are served at /esp/<esp>/tracking/ only with a secret set
# ("user:password", HTTP basic auth), so no stranger can suppress readers.
ANYMAIL = {**_email.anymail, "WEBHOOK_SECRET": envstr("ANYMAIL_WEBHOOK_SECRET", "")}
ESP_NAME = _email.esp
# Digests always go through our own engine over SMTP; with an ESP, name its SMTP relay.
_smtp = relay_settings(_email, envstr("DIGEST_RELAY_URL"))
# The SMTP relay's address and login; Django's defaults when mail goes elsewhere.
EMAIL_HOST = _smtp.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _smtp.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _smtp.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _smtp.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _smtp.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _smtp.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _smtp.get("EMAIL_TIMEOUT")
# The digest engine (dateline/digests/engine/, docs/newsletter.md "Running the workers"):
# SMTP connections (threads) per worker process and deliveries claimed at a time.
DIGEST_CONCURRENCY = envint("DIGEST_CONCURRENCY", 4)
DIGEST_BATCH = envint("DIGEST_BATCH", 1000)
# Per relay (EMAIL_HOST:EMAIL_PORT), shared by all workers through the database; 0: no limit.
DIGEST_RATE_PER_SECOND = float(envstr("DIGEST_RATE_PER_SECOND", "0"))
DIGEST_RATE_PER_HOUR = float(envstr("DIGEST_RATE_PER_HOUR", "0"))
# An issue pauses itself when more than this share of the deliveries tried fail
# (once at least DIGEST_PAUSE_MIN_TRIED were tried); 0: never.
DIGEST_PAUSE_FAILURE_RATE = float(envstr("DIGEST_PAUSE_FAILURE_RATE", "0.2"))
DIGEST_PAUSE_MIN_TRIED = envint("DIGEST_PAUSE_MIN_TRIED", 100)
# Accepted-but-not-yet-recorded deliveries per run; must be local to the machine.
DIGEST_JOURNAL_DIR = Path(envstr("DIGEST_JOURNAL_DIR", str(VAR_DIR / "digest-journals")))
# Seconds a worker waits for an approval still queueing readers before it stops.
DIGEST_QUEUEING_WAIT = float(envstr("DIGEST_QUEUEING_WAIT", "60"))
# In-app DKIM signing (dateline/digests/dkimsign.py); empty domain: the relay signs.
DKIM_DOMAIN = envstr("DKIM_DOMAIN")
DKIM_SELECTOR = envstr("DKIM_SELECTOR")
DKIM_PRIVATE_KEY_FILE = envstr("DKIM_PRIVATE_KEY_FILE")
# The outbox shows mail in the browser; never expose it on a production site.
DEV_OUTBOX = envbool("DEV_OUTBOX", not PRODUCTION)
# `dateline outbox-smtp` (started by `dateline run`): the digest engine speaks SMTP,
# so in development its mail lands in /dev/outbox/ through it like all other mail.
OUTBOX_SMTP_PORT = envint("OUTBOX_SMTP_PORT", PORT + 25)
USE_OUTBOX_SMTP = DEV_OUTBOX and EMAIL_BACKEND == "dateline.outbox.backend.OutboxBackend"
if USE_OUTBOX_SMTP:
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", OUTBOX_SMTP_PORT

# Auth, i18n, static ---------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LANGUAGE_CODE = "en"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "dateline" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, Any] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Development serves hashed names as production does.
        "BACKEND": "dateline.lib.staticfiles.KeptManifestStaticFilesStorage"
    },
}
# Photos in S3-compatible storage through django-storages (`pip install ".[s3]"`,
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; docs/deployment.md, "Media").
MEDIA_S3_BUCKET = envstr("MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    _media_domain = envstr("MEDIA_S3_CUSTOM_DOMAIN", "")
    STORAGES["default"] = s3_storage(
        MEDIA_S3_BUCKET,
        endpoint_url=envstr("MEDIA_S3_ENDPOINT_URL", ""),
        region=envstr("MEDIA_S3_REGION", ""),
        custom_domain=_media_domain,
    )
    if _media_domain:
        MEDIA_URL = f"https://{_media_domain}/"

# Security -------------------------------------------------------------------
# Staff logins (dateline/ops/logins.py): failures allowed per account and per address
# within the lockout window, and how long a staff session lasts.
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_IP = envint("LOGIN_FAILURES_PER_IP", 20)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)
# After that many failures from anywhere, one attempt per this many seconds for the account.
LOGIN_ACCOUNT_PACE_SECONDS = envint("LOGIN_ACCOUNT_PACE_SECONDS", 30)
SESSION_COOKIE_AGE = envint("SESSION_HOURS", 12) * 3600
# A code from an authenticator app after the password (dateline/ops/twofactor.py).
STAFF_TWO_FACTOR = envbool("STAFF_TWO_FACTOR", PRODUCTION)
OTP_TOTP_ISSUER = envstr("SITE_NAME", "Dateline")
# Setting the app up takes a one-time link mailed to the account (or printed by
# `dateline two-factor-link`), not the password alone; docs/security.md.
STAFF_TWO_FACTOR_LINK = envbool("STAFF_TWO_FACTOR_LINK", PRODUCTION)
STAFF_TWO_FACTOR_LINK_HOURS = envint("STAFF_TWO_FACTOR_LINK_HOURS", 24)
# Wrong codes count against the login lockout instead (LOGIN_FAILURES_PER_ACCOUNT), the
# same for app and backup codes; django-otp's own growing delays would stack on it.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Reverse proxies (addresses or networks) whose forwarding header names the client, for
# per-address limits, consent records and logs (dateline/lib/clientip.py). Empty: none.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")
TRUSTED_PROXY_HEADER = envstr("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
if TRUSTED_PROXY_HEADER.lower() not in ("x-forwarded-for", "forwarded"):
    raise ImproperlyConfigured('TRUSTED_PROXY_HEADER must be "X-Forwarded-For" or "Forwarded"')
# /metrics wants "Authorization: Bearer <this>"; unset, it answers this machine only.
METRICS_TOKEN = envstr("METRICS_TOKEN", "")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION and BASE_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)

# Wagtail --------------------------------------------------------------------
WAGTAIL_SITE_NAME = envstr("SITE_NAME", "Dateline")
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILIMAGES_IMAGE_MODEL = "newsroom.Photo"
# Uploads lose their hidden metadata (GPS, device, thumbnails) but credit and copyright.
WAGTAILIMAGES_IMAGE_FORM_BASE = "dateline.newsroom.uploads.PhotoForm"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 60_000_000
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# Purge a reverse proxy on publish (docs/deployment.md). FRONTEND_CACHE_URL is the
# proxy's purge location, e.g. http://127.0.0.1:8080/.
FRONTEND_CACHE_URL = envstr("FRONTEND_CACHE_URL")
if FRONTEND_CACHE_URL:
    WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_URL,
        }
    }

# Newsroom -------------------------------------------------------------------
PUBLICATION_NAME = envstr("PUBLICATION_NAME", "The Dateline Ledger")
# Mail comes from the publication by name; an address given without a name gets it.
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "newsroom@dateline.invalid")
if "<" not in DEFAULT_FROM_EMAIL:
    DEFAULT_FROM_EMAIL = formataddr((PUBLICATION_NAME, DEFAULT_FROM_EMAIL))
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The domain of every Message-ID, the mailto unsubscribe and (by default) bounce
# addresses: the From address's, which receives our mail already, never 127.0.0.1.
MAIL_DOMAIN = envstr(
    "MAIL_DOMAIN", parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "dateline.invalid"
).lower()
# Date headers carry TIME_ZONE's offset: RFC 5322 reads "-0000" as "zone unknown".
EMAIL_USE_LOCALTIME = True
PUBLICATION_LANGUAGE = envstr("PUBLICATION_LANGUAGE", "en")
# PostgreSQL's text search configuration for the publication's language: search joins
# a word's forms ("flood" finds "floods"); dateline/lib/search.py.
SEARCH_CONFIG = envstr("SEARCH_CONFIG", postgres_search_config(PUBLICATION_LANGUAGE))
WAGTAILSEARCH_BACKENDS = {
    # SQLite FTS5 on one machine, PostgreSQL full-text search at scale: Wagtail
    # picks the engine that matches the database. SQLite stems with the Porter
    # stemmer (newsroom migration 0002); PostgreSQL with SEARCH_CONFIG.
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": SEARCH_CONFIG},
}
ARTICLES_PER_PAGE = envint("ARTICLES_PER_PAGE", 12)
PAGE_VIEW_FLUSH_SECONDS = envint("PAGE_VIEW_FLUSH_SECONDS", 10)
# "server": each article response counts a view, page-cache hits included. "beacon":
# the reader's browser reports the view (static/dateline/views.js), for set-ups where a
# proxy cache in front answers most requests without asking Dateline.
PAGE_VIEW_COUNTING = envstr("PAGE_VIEW_COUNTING", "server")
if PAGE_VIEW_COUNTING not in ("server", "beacon"):
    raise ImproperlyConfigured(
        f'PAGE_VIEW_COUNTING must be "server" or "beacon", not "{PAGE_VIEW_COUNTING}"'
    )

# Wire desk (dateline/wire/egress.py): HTTP feeds on private or local addresses are
# refused unless allowed; drop folders must be inside this root.
WIRE_ALLOW_PRIVATE_ADDRESSES = envbool("WIRE_ALLOW_PRIVATE_ADDRESSES", False)
WIRE_DROP_ROOT = Path(envstr("WIRE_DROP_ROOT", str(VAR_DIR / "wire-drop")))

# Newsletter -----------------------------------------------------------------
NEWSLETTER_CONFIRM_HOURS = envint("NEWSLETTER_CONFIRM_HOURS", 72)
NEWSLETTER_PENDING_DAYS = envint("NEWSLETTER_PENDING_DAYS", 7)
NEWSLETTER_WELCOME_MAIL = envbool("NEWSLETTER_WELCOME_MAIL", True)
NEWSLETTER_MIN_FORM_SECONDS = envint("NEWSLETTER_MIN_FORM_SECONDS", 2)
# Article pages are cached for up to PAGE_CACHE_SECONDS with the box's stamp in them.
NEWSLETTER_MAX_FORM_AGE = envint("NEWSLETTER_MAX_FORM_AGE", 2 * 86400)
NEWSLETTER_SIGNUPS_PER_IP = envint("NEWSLETTER_SIGNUPS_PER_IP", 20)
# Every signup answer takes at least this long, so that its timing does not tell a
# new address (the quickest path) from a known one.
NEWSLETTER_ANSWER_MIN_MS = envint("NEWSLETTER_ANSWER_MIN_MS", 20)
NEWSLETTER_MAILS_PER_ADDRESS_PER_DAY = envint("NEWSLETTER_MAILS_PER_ADDRESS_PER_DAY", 3)
_mailbox = f"unsubscribe@{MAIL_DOMAIN}"
NEWSLETTER_UNSUBSCRIBE_MAILBOX = envstr("NEWSLETTER_UNSUBSCRIBE_MAILBOX", _mailbox)
# Sites whose pages may call the signup API from the browser (newsletter/api.py), through
# django-cors-headers on the API's paths only; an origin is scheme://host[:port].
CORS_ALLOWED_ORIGINS = [o.rstrip("/").lower() for o in envlist("NEWSLETTER_CORS_ORIGINS")]
CORS_URLS_REGEX = r"^/newsletter/api/"
CORS_ALLOW_METHODS = ("GET", "POST")
CORS_ALLOW_HEADERS = ("content-type",)

# Digests (docs/newsletter.md). At the slot an unapproved draft is approved and sent;
# off: it waits for an editor.
DIGEST_AUTO_APPROVE = envbool("DIGEST_AUTO_APPROVE", True)
# Tasks that share one issue's sending (each claims its own batches).
DIGEST_SEND_TASKS = envint("DIGEST_SEND_TASKS", 2)
# Clicks per issue and link via signed redirects, never who clicked; on unless turned off
# (also by the old name). Each process writes its counts every CLICK_FLUSH_SECONDS and,
# while the database is away, keeps at most CLICK_PENDING_MAX links unsaved.
_old = envbool("DIGEST_CLICK_TRACKING", True)
NEWSLETTER_CLICK_TRACKING = envbool("NEWSLETTER_CLICK_TRACKING", _old)
CLICK_FLUSH_SECONDS = envint("CLICK_FLUSH_SECONDS", 10)
CLICK_PENDING_MAX = envint("CLICK_PENDING_MAX", 10000)
# Soft bounces, scored as Mailman does: at most one point a day, forgotten after the window.
BOUNCE_SOFT_THRESHOLD = envint("BOUNCE_SOFT_THRESHOLD", 5)
BOUNCE_WINDOW_DAYS = envint("BOUNCE_WINDOW_DAYS", 14)
# A POP3 or IMAP mailbox of bounce messages polled by the scheduler, e.g.
# imaps://bounces:secret@mail.example.org/INBOX or pop3s://user:pass@host. Empty: off.
BOUNCE_MAILBOX_URL = envstr("BOUNCE_MAILBOX_URL", "")

# Comments (docs/comments.md) ------------------------------------------------
# "first": a commenter's first comment waits for approval; "all" or "none".
COMMENTS_MODERATION = envstr("COMMENTS_MODERATION", "first")
if COMMENTS_MODERATION not in ("all", "first", "none"):
    raise ImproperlyConfigured("COMMENTS_MODERATION must be 'all', 'first' or 'none'")
COMMENTS_MAX_DEPTH = envint("COMMENTS_MAX_DEPTH", 3)
COMMENTS_CLOSE_AFTER_DAYS = envint("COMMENTS_CLOSE_AFTER_DAYS", 14)
COMMENTS_PER_PAGE = envint("COMMENTS_PER_PAGE", 50)
COMMENTS_EDIT_MINUTES = envint("COMMENTS_EDIT_MINUTES", 15)
COMMENTS_MAX_LENGTH = envint("COMMENTS_MAX_LENGTH", 5000)
COMMENTS_MAX_LINKS = envint("COMMENTS_MAX_LINKS", 2)
COMMENTS_MIN_FORM_SECONDS = envint("COMMENTS_MIN_FORM_SECONDS", 3)
COMMENTS_MAX_FORM_AGE = envint("COMMENTS_MAX_FORM_AGE", 2 * 86400)
COMMENTS_PER_IP_PER_HOUR = envint("COMMENTS_PER_IP_PER_HOUR", 20)
COMMENTS_PER_ADDRESS_PER_HOUR = envint("COMMENTS_PER_ADDRESS_PER_HOUR", 10)
COMMENTS_BANNED_WORDS = envlist("COMMENTS_BANNED_WORDS")
# An Akismet-compatible comment-check endpoint; empty turns the check off.
COMMENTS_SPAM_CHECK_URL = envstr("COMMENTS_SPAM_CHECK_URL")
COMMENTS_SPAM_CHECK_KEY = envstr("COMMENTS_SPAM_CHECK_KEY")
COMMENTS_SPAM_CHECK_TIMEOUT = float(envstr("COMMENTS_SPAM_CHECK_TIMEOUT", "3"))
# Who gets the daily summary of the queue; empty means every active superuser.
COMMENTS_MODERATOR_EMAILS = envlist("COMMENTS_MODERATOR_EMAILS")

# JSON lines in production (LOG_FORMAT=plain|json overrides), with the request id.
LOG_FORMAT = envstr("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = logging_config(
    json_lines=LOG_FORMAT == "json",
    level=envstr("LOG_LEVEL", "INFO"),
    request_id_filter="dateline.ops.observe.RequestIdFilter",
)
