from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "dateline.importers"
    label = "importers"
    verbose_name = "Imports from other systems"
