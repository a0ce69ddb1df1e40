"""Model fields that keep one stored form of an identifier."""

from __future__ import annotations

from django.db import models

from market.identifiers import gtin_normalize


class GtinField(models.CharField):
    """A GTIN stored as 14 digits, whatever form it was typed or looked up in.

    Saving, form cleaning and queries all pass through `gtin_normalize`, so
    `filter(gtin="8930001000018")` finds the row stored as `08930001000018`
    and the unique constraint compares products, not strings.
    """

    def to_python(self, value):
        return gtin_normalize(super().to_python(value))

    def get_prep_value(self, value):
        return gtin_normalize(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = gtin_normalize(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
