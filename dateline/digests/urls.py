from django.urls import path

from dateline.digests import views

app_name = "digests"

urlpatterns = [
    path("<int:issue_id>/<str:token>/", views.view_issue, name="view"),
    # Answered before Django for a good token (clicks.ClickRedirectApp); here otherwise.
    path("c/<str:token>/", views.click, name="click"),
]
