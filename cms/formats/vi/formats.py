"""Vietnamese number formats: Django's, plus thousands grouped by three.

Django ships `vi` with NUMBER_GROUPING = 0, which prints 150000; people here
write 150.000.
"""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
