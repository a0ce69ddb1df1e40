import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, our modules) lives as long as the
# process: move it out of the collector's reach, so a full collection walks
# only what requests create. Without this, full collections paused searches
# for 100-150 ms at 100 000 variants (bench/search.py).
gc.freeze()
