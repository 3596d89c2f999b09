from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dateline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Counts failed staff logins (logins.py).
        from dateline.ops import logins  # noqa: F401
