"""Wagtail documents move off the public media (#16: private files stay private).

Wagtail stores a document's file with the default storage under
`documents/<uploaded name>`. That storage is now `MediaStorage`, which keeps
those names in the private storage (cms/private_files.py); the files of
documents uploaded before are still in the public one, where anyone could
fetch `/media/documents/<name>` or the bucket's public object. This moves
each of them across under the same name (or, if that name is taken, the
private storage's next free one, written back to the row) and deletes the
public copy. Going back moves them back the same way.
"""

import logging

from django.core.files import File
from django.core.files.storage import storages
from django.db import migrations

from cms.private_files import PRIVATE_STORAGE, PUBLIC_STORAGE

logger = logging.getLogger(__name__)


def _move(apps, source_alias: str, target_alias: str) -> int:
    Document = apps.get_model("wagtaildocs", "Document")
    source, target = storages[source_alias], storages[target_alias]
    moved = 0
    for document in Document.objects.order_by("pk").iterator():
        name = document.file.name
        if not name or not source.exists(name):
            if name and not target.exists(name):
                logger.warning("document %s: file %r is missing", document.pk, name)
            continue
        with source.open(name, "rb") as content:
            stored = target.save(name, File(content))
        if stored != name:
            Document.objects.filter(pk=document.pk).update(file=stored)
        source.delete(name)
        moved += 1
    return moved


def documents_to_private(apps, schema_editor):
    moved = _move(apps, PUBLIC_STORAGE, PRIVATE_STORAGE)
    if moved:
        logger.info("moved %d Wagtail documents to private storage", moved)


def documents_to_public(apps, schema_editor):
    _move(apps, PRIVATE_STORAGE, PUBLIC_STORAGE)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_search_postgres"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.RunPython(documents_to_private, documents_to_public, elidable=True)
    ]
