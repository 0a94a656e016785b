"""Each dues profile says from which month dues are owed; existing profiles keep the whole year."""

import datetime as dt

from django.db import migrations, models


def whole_year(apps, schema_editor):
    DuesProfile = apps.get_model("agenda", "DuesProfile")
    for year in DuesProfile.objects.values_list("year", flat=True).distinct():
        DuesProfile.objects.filter(year=year).update(starts_on=dt.date(year, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("agenda", "0010_threshold_moved_to_core")]

    operations = [
        migrations.AddField(
            model_name="duesprofile",
            name="starts_on",
            field=models.DateField(
                blank=True,
                null=True,
                verbose_name="起缴月份",
                help_text="自该月起按本标准缴纳党费（该月 1 日）。",
            ),
        ),
        migrations.RunPython(whole_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="duesprofile",
            name="starts_on",
            field=models.DateField(
                blank=True,
                verbose_name="起缴月份",
                help_text="自该月起按本标准缴纳党费（该月 1 日）。",
            ),
        ),
    ]
