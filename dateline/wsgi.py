"""WSGI entry point: static files (WhiteNoise), then the anonymous page cache
(dateline.lib.pagecache), then Django."""

import os

from django.core.wsgi import get_wsgi_application

from dateline.lib.vardir import prepare_var_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
# Before anything reads the settings: in development the key is made here.
prepare_var_dir()

from dateline.lib.pagecache import PageCacheApp  # noqa: E402
from dateline.lib.staticfiles import static_files  # noqa: E402
from dateline.lib.warmup import warm_up  # noqa: E402

django_application = get_wsgi_application()
application = static_files(PageCacheApp(django_application))
# Each web worker imports this module once: the URL resolver is built and what is loaded
# so far is kept out of the garbage collector's full passes (dateline/lib/warmup.py).
warm_up()
