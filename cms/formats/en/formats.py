"""English formats for a Vietnamese site: dates are still typed day first.

The admin's date widget writes day/month/year in every language
(WAGTAIL_DATE_FORMAT); an operator who switched the admin to English must not
have `01/11/2026` read back as 11 January.
"""

from django.conf.locale.en.formats import *  # noqa: F403

from cms.formats.vi.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]
