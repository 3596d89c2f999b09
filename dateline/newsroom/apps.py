from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "dateline.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from dateline.lib import pagecache
        from dateline.newsroom import pageviews, signals  # noqa: F401  (connects the receivers)

        # A page the cache answers is still an article read (docs/decisions/0011-layers.md).
        pagecache.register(count_view=pageviews.served)
