"""The PostgreSQL search engine's text search configuration `nguonque_vi`
(unaccent then simple: marks removed, đ→d, lower case, no stemming) and the
unaccent / pg_trgm extensions it and modelsearch's fuzzy search use.
Nothing to do on SQLite."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from cms.search.postgres import ensure_config

        ensure_config(schema_editor.connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from cms.search.postgres import DROP_CONFIG_SQL

        schema_editor.execute(DROP_CONFIG_SQL)


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_search_synonym")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
