"""Routes for the development outbox; dateline/urls.py mounts them at /dev/outbox/."""

from django.urls import URLPattern, path

from dateline.outbox import views

app_name = "outbox"

urlpatterns: list[URLPattern] = [
    path("", views.message_list, name="list"),
    path("clear/", views.clear, name="clear"),
    path("latest.json", views.latest_json, name="latest"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/html/", views.message_html, name="html"),
    path("<int:pk>/raw/", views.message_raw, name="raw"),
    path("<int:pk>/attachments/<int:index>/", views.message_attachment, name="attachment"),
]
