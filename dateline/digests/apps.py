from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "dateline.digests"
    label = "digests"
    verbose_name = "Digests"
