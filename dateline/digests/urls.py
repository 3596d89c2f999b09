from django.urls import path

from dateline.digests import views

app_name = "digests"

urlpatterns = [
    path("<int:issue_id>/<str:token>/", views.view_issue, name="view"),
    path("c/<int:story_id>/<str:token>/", views.click, name="click"),
]
