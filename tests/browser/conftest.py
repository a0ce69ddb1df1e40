"""Browser tests live here; their fixtures (`browser`, `page`) are defined
once in `tests/browser/support.py` and registered suite-wide by
`tests/conftest.py`, so every folder shares one Chromium per session."""

from tests.browser.support import axe_violations

__all__ = ["axe_violations"]
