"""WSGI entry point: static files (WhiteNoise), then counted digest links
(dateline.digests.clicks), then the anonymous page cache (dateline.lib.pagecache),
then Django."""

import os
from typing import Any

from django.core.wsgi import get_wsgi_application

from dateline.lib.vardir import prepare_var_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
# Before anything reads the settings: in development the key is made here.
prepare_var_dir()

from dateline.lib.clientip import forget_untrusted_scheme  # noqa: E402
from dateline.lib.pagecache import PageCacheApp  # noqa: E402
from dateline.lib.staticfiles import static_files  # noqa: E402
from dateline.lib.warmup import warm_up  # noqa: E402

django_application = get_wsgi_application()
# Imports models: after Django is set up.
from dateline.digests.clicks import ClickRedirectApp  # noqa: E402

_application = static_files(ClickRedirectApp(PageCacheApp(django_application)))


def application(environ: dict[str, Any], start_response: Any) -> Any:
    # Before the page cache and Django, both of which read the scheme from it.
    forget_untrusted_scheme(environ)
    return _application(environ, start_response)


# Each web worker imports this module once: the URL resolver is built and what is loaded
# so far is kept out of the garbage collector's full passes (dateline/lib/warmup.py).
warm_up()
