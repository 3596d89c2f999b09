from django.urls import path

from dateline.live import feeds, views

urlpatterns = [
    path("<int:page_id>/updates.json", views.updates, name="live-updates"),
    path("<int:page_id>/atom.xml", feeds.LiveBlogFeed(), name="live-feed"),
]
