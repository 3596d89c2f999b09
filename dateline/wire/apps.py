from django.apps import AppConfig


class WireConfig(AppConfig):
    name = "dateline.wire"
    label = "wire"
    verbose_name = "Wire desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.newsroom.models import ArticlePage
        from dateline.wire.admin_views import WireCopyPanel
        from dateline.wire.forms import QuoteCheckedArticleForm
        from dateline.wire.models import embargo_lifts

        # The wire copy sits beside the story in the editor; added from here so the
        # newsroom does not depend on the wire app.
        ArticlePage.content_panels = [
            *ArticlePage.content_panels,
            WireCopyPanel(heading="Wire copy"),
        ]
        ArticlePage.base_form_class = QuoteCheckedArticleForm
        # No publish path lets a story out before the embargo of a report it was
        # written from (the form above says so to the editor first).
        ArticlePage.go_live_floors.append(embargo_lifts)
