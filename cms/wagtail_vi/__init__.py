"""Vietnamese for Wagtail's admin texts that Wagtail's own catalogue leaves in
English, and plainer Vietnamese for Django's form messages
(locale/vi/LC_MESSAGES/django.po, kept by hand).

An app of its own so that its catalogue outranks Wagtail's (it comes before
the Wagtail apps in INSTALLED_APPS) while `makemessages`, which writes the
project's own strings to the top-level locale/, never writes here.
"""
