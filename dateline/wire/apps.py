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

        # The wire copy sits beside the story in the editor; added from here so the
        # newsroom does not depend on the wire app.
        ArticlePage.content_panels = [
            *ArticlePage.content_panels,
            WireCopyPanel(heading="Wire copy"),
        ]
        ArticlePage.base_form_class = QuoteCheckedArticleForm
