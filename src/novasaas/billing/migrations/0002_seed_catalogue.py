from django.db import migrations

from novasaas.billing import seed


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed.load, seed.unload)]
