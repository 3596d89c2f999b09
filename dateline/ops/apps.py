from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dateline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from dateline.lib import pagecache
        from dateline.ops import logins  # noqa: F401  (counts failed staff logins)
        from dateline.ops.observe import record, request_id_from

        # The page cache's hits are requests too: counted and named as Django's are.
        pagecache.register(tally=record, request_id=request_id_from)
