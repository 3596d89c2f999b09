from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dateline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from dateline.lib import pagecache
        from dateline.ops import logins  # noqa: F401  (counts failed staff logins)
        from dateline.ops.observe import TALLY, request_id_from

        # The page cache's hits are requests too: counted and named as Django's are.
        pagecache.register(tally=TALLY.record, request_id=request_id_from)
