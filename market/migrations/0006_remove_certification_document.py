from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("market", "0005_certification_scan_private")]

    operations = [
        migrations.RemoveField(model_name="certification", name="document"),
    ]
