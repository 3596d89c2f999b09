from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dateline.comments"
    label = "comments"
    verbose_name = "Comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.comments import signals  # noqa: F401
