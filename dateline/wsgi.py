"""WSGI entry point: static files (WhiteNoise), then the anonymous page cache
(dateline.lib.pagecache), then Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

from dateline.lib.pagecache import PageCacheApp
from dateline.lib.staticfiles import static_files
from dateline.lib.warmup import warm_up

django_application = get_wsgi_application()
application = static_files(PageCacheApp(django_application))
# Each web worker imports this module once: the URL resolver is built and what is loaded
# so far is kept out of the garbage collector's full passes (dateline/lib/warmup.py).
warm_up()
