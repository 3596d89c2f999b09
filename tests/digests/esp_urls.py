"""The site's URLs with the ESP webhooks on, as they are when ANYMAIL_WEBHOOK_SECRET is set."""

from django.urls import include, path

from dateline.urls import urlpatterns as site

urlpatterns = [path("esp/", include("anymail.urls")), *site]
