from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "dateline.scheduler"
    label = "scheduler"
    verbose_name = "Scheduler"
