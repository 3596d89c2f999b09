from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "dateline.outbox"
    label = "outbox"
    verbose_name = "Development outbox"
