from django.urls import path

from dateline.comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("post/", views.post, name="post"),
    path("preview/", views.preview, name="preview"),
    path("mine/<int:article_id>/", views.mine, name="mine"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:article_id>/atom.xml", feeds.ArticleCommentsFeed(), name="feed"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/<int:article_id>/", views.unsubscribe, name="unsubscribe_thread"),
]
