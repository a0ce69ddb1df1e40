"""Label PDFs use the one private storage alias and random stored names
(#19, item 3). Files already written keep their names and folder."""

import cms.private_files
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("traceability", "0006_diary_client_id")]

    operations = [
        migrations.AlterField(
            model_name="labelrun",
            name="pdf",
            field=models.FileField(
                blank=True,
                storage=cms.private_files.private_storage,
                upload_to=cms.private_files.RandomName("labels/%Y/%m/"),
            ),
        ),
    ]
