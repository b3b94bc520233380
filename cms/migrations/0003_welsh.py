"""Welsh public pages: the `cy` Wagtail locale that Welsh pages belong to (the `en` one was
created with Wagtail's tables), and a Welsh helpline text for their footer."""

from django.db import migrations, models


def add_welsh_locale(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Locale.objects.get_or_create(language_code="cy")


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0002_document_collections'),
        ('wagtailcore', '0097_baselogentry_uuid_action_timestamp_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='sitesettings',
            name='helpline_text_cy',
            field=models.TextField(blank=True, default='Llinell Gymorth Caethwasiaeth Fodern a Chamfanteisio: 08000 121 700, am ddim ac yn gyfrinachol, 24 awr y dydd. Mewn argyfwng, ffoniwch 999.', help_text='Shown in the footer of Welsh pages. Keep it in step with the English text. Left blank, Welsh pages show the English text.', max_length=500, verbose_name='helpline text in Welsh'),
        ),
        # Kept on reversal: Welsh pages may still belong to it.
        migrations.RunPython(add_welsh_locale, migrations.RunPython.noop),
    ]
