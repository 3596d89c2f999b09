from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dateline.ops"
    label = "ops"
    verbose_name = "Operations"
