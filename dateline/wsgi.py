"""WSGI entry point: Django behind the anonymous page cache (dateline.lib.pagecache)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

from dateline.lib.pagecache import PageCacheApp

django_application = get_wsgi_application()
application = PageCacheApp(django_application)
