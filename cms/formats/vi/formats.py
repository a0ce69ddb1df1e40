"""Vietnamese formats: Django's, plus thousands grouped by three and dates
typed day first.

Django ships `vi` with NUMBER_GROUPING = 0, which prints 150000; people here
write 150.000. It also leaves the input formats to the global default, whose
first date format is the American month/day/year: `01/11/2026` (1 November)
was read as 11 January. Here every typed date is day/month/year, and the ISO
form the browser's date picker sends still works.
"""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 01/11/2026
    "%d-%m-%Y",  # 01-11-2026
    "%d.%m.%Y",  # 01.11.2026
    "%d/%m/%y",  # 01/11/26
    "%Y-%m-%d",  # 2026-11-01 (ISO, <input type="date">)
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
]
