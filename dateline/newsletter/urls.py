from django.urls import path

from dateline.newsletter import api, views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("stamp/", views.stamp, name="stamp"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/data.json", views.export, name="export"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # One newsletter's links, and the issue they came in (tokens.Links).
    path("unsubscribe/<str:token>/<slug:slug>/", views.unsubscribe, name="unsubscribe_one"),
    path(
        "unsubscribe/<str:token>/<slug:slug>/<int:issue>/",
        views.unsubscribe,
        name="unsubscribe_issue",
    ),
    # For the form embedded on other sites: see api.py.
    path("api/openapi.json", api.openapi, name="api_openapi"),
    path("api/form", api.form, name="api_form"),
    path("api/subscribe", api.subscribe, name="api_subscribe"),
]
