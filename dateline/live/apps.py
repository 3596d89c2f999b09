from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "dateline.live"
    label = "live"
    verbose_name = "Live coverage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.live import signals  # noqa: F401
        from dateline.newsroom.models import SectionPage

        # A section holds live blogs beside its articles; added from here so the
        # newsroom does not depend on this app (as the wire adds its panel).
        if "live.LiveBlogPage" not in SectionPage.subpage_types:
            SectionPage.subpage_types = [*SectionPage.subpage_types, "live.LiveBlogPage"]
