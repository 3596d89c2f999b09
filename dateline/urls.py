from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from dateline.newsroom import feeds, routing, sitemaps, views
from dateline.ops import files, health, twofactor

urlpatterns = [
    path("admin/two-factor/", include(twofactor.urlpatterns)),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("search/", views.search, name="search"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    path("newsletter/", include("dateline.newsletter.urls")),
    path("comments/", include("dateline.comments.urls")),
    path("digests/", include("dateline.digests.urls")),
    path("live/", include("dateline.live.urls")),
    path("authors/<slug:slug>/", views.author, name="author"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("views/<int:page_id>/", views.view_beacon, name="view-beacon"),
    *feeds.urlpatterns,
    *sitemaps.urlpatterns,
]

if settings.DEV_OUTBOX:
    urlpatterns.append(path("dev/outbox/", include("dateline.outbox.urls")))

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # An ESP's bounce and complaint webhooks (docs/newsletter.md), only behind their secret.
    urlpatterns.append(path("esp/", include("anymail.urls")))

# Collected static files and uploaded photos, with security headers (dateline/ops/files.py).
urlpatterns += [
    re_path(r"^static/(?P<path>.*)$", files.static_file),
    re_path(r"^media/(?P<path>.*)$", files.media_file),
]
# Pages, through Wagtail's view with the Site kept per process (newsroom/routing.py);
# Wagtail's own patterns follow for its login and password forms (and for reverse()).
urlpatterns.append(re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", routing.serve))
urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "dateline.newsroom.errors.not_found"
# Database trouble (PostgreSQL restarting, SQLite's disk full) is a 503, not a 500.
handler500 = "dateline.ops.unavailable.server_error"
