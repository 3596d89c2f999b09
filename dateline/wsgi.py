"""WSGI entry point: Django behind the anonymous page cache (dateline.lib.pagecache)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

from dateline.lib.pagecache import PageCacheApp
from dateline.lib.warmup import warm_up

django_application = get_wsgi_application()
application = PageCacheApp(django_application)
# Each web worker imports this module once: the URL resolver is built and what is loaded
# so far is kept out of the garbage collector's full passes (dateline/lib/warmup.py).
warm_up()
