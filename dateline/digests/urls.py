from django.urls import path

from dateline.digests import views

app_name = "digests"

urlpatterns = [
    path("<int:issue_id>/<str:token>/", views.view_issue, name="view"),
    # Answered before Django for a good token (clicks.ClickRedirectApp); here otherwise.
    path("c/<str:token>/", views.click, name="click"),
    # The same with the reader's delivery token, when reader engagement is on.
    path("c/<str:token>/<str:reader>/", views.click, name="reader_click"),
    path("o/<int:issue_id>/<str:signature>/", views.opened, name="opened"),
    path("o/<int:issue_id>/<str:signature>/<str:reader>/", views.opened, name="reader_opened"),
]
