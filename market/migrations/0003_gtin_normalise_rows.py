"""Store every existing GTIN in its 14-digit form (hand-written data step).

`8930001000018` and `08930001000018` are one product to GS1; before this,
two sellers could each hold one of the two strings and print QR codes that
named the same GTIN. When two variants normalise to the same GTIN, the
oldest (lowest id) keeps it and the later ones lose it: a later copy of a
GTIN is the one that cannot be genuine. Their SKUs are printed so the
operator can follow up.
"""

from collections import defaultdict

from django.db import migrations


def _digits14(value: str) -> str:
    value = value.strip()
    if value.isdigit() and len(value) in (8, 12, 13, 14):
        return value.zfill(14)
    return value


def normalise(apps, schema_editor):
    Variant = apps.get_model("market", "Variant")
    groups: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    rows = Variant.objects.exclude(gtin=None).order_by("pk")
    for pk, sku, gtin in rows.values_list("pk", "sku", "gtin"):
        groups[_digits14(gtin)].append((pk, sku, gtin))
    keep: list[tuple[int, str, str]] = []
    for wanted, members in groups.items():
        (pk, _sku, stored), *later = members
        for other_pk, other_sku, other in later:
            # Cleared first, so the keeper's update cannot clash with it.
            Variant.objects.filter(pk=other_pk).update(gtin=None)
            print(
                f"\n  GTIN {other} of variant {other_sku} (id {other_pk}) is the "
                f"same product as variant id {pk}'s; cleared on the later one."
            )
        if stored != wanted:
            keep.append((pk, wanted, stored))
    for pk, wanted, _stored in keep:
        Variant.objects.filter(pk=pk).update(gtin=wanted)


class Migration(migrations.Migration):
    dependencies = [("market", "0002_gtin_14_digits")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
