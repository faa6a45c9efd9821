import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essor.settings")
application = get_wsgi_application()

# What start-up created (settings, URLconf, models, libraries) lives as long as the process.
# Frozen out of the garbage collector's reach, it is no longer walked by every full collection:
# a page that builds many objects (the map's 2,000 points) no longer pauses for tens of
# milliseconds now and then. Under gunicorn --preload the workers also share these pages.
gc.collect()
gc.freeze()
