"""Certificate scans move off Wagtail's public documents folder (#19, item 3).

Each certification's scan was a Wagtail document stored under
MEDIA_ROOT/documents/ with the uploaded name, so anyone could fetch it at
/media/documents/<name>. This copies every scan into the private storage
under a random name (`Certification.scan`), then deletes the document row and
its public file. The next migration drops the old `document` column: kept
apart so PostgreSQL never alters a table with this migration's updates
still pending.
"""

import logging

import cms.private_files
from django.core.files import File
from django.db import migrations, models

logger = logging.getLogger(__name__)


def scans_to_private_storage(apps, schema_editor):
    Certification = apps.get_model("market", "Certification")
    Document = apps.get_model("wagtaildocs", "Document")
    moved = (
        Certification.objects.filter(document__isnull=False)
        .select_related("document")
        .order_by("pk")
    )
    for certification in moved.iterator():
        document = certification.document
        public = document.file.storage
        name = document.file.name
        if not name or not public.exists(name):
            logger.warning(
                "certification %s: scan file %r is missing", certification.pk, name
            )
            continue
        with public.open(name, "rb") as source:
            certification.scan.save(name, File(source), save=False)
        Certification.objects.filter(pk=certification.pk).update(
            scan=certification.scan.name, document=None
        )
        Document.objects.filter(pk=document.pk).delete()
        public.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0004_merge_0002_tax_withholding_0003_gtin_normalise_rows"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.AddField(
            model_name="certification",
            name="scan",
            field=models.FileField(
                blank=True,
                max_length=200,
                storage=cms.private_files.private_storage,
                upload_to=cms.private_files.RandomName("certificates/%Y/%m/"),
                verbose_name="bản chụp giấy chứng nhận",
            ),
        ),
        migrations.RunPython(scans_to_private_storage, migrations.RunPython.noop),
    ]
