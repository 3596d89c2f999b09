from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "dateline.digests"
    label = "digests"
    verbose_name = "Digests"

    def ready(self) -> None:
        # An ESP's bounce and complaint webhooks feed the suppression list (esp.py).
        from anymail.signals import tracking

        from dateline.digests.esp import on_tracking

        tracking.connect(on_tracking, dispatch_uid="dateline-esp-bounces")
        # Erasing a reader erases what reader engagement recorded about them.
        from django.db.models.signals import pre_delete

        from dateline.digests.engagement import forget_reader
        from dateline.newsletter.models import Subscriber

        pre_delete.connect(forget_reader, sender=Subscriber, dispatch_uid="dateline-engagement")
