"""Reference data every installation needs: a starting list of languages (coordinators can
add more) and the first version of each consent statement."""

from django.db import migrations

LANGUAGES = [
    ("en", "English"),
    ("bfi", "British Sign Language"),
    ("sq", "Albanian"),
    ("am", "Amharic"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("bg", "Bulgarian"),
    ("yue", "Cantonese"),
    ("cs", "Czech"),
    ("fa", "Farsi"),
    ("fr", "French"),
    ("hu", "Hungarian"),
    ("ku", "Kurdish (Sorani)"),
    ("lt", "Lithuanian"),
    ("cmn", "Mandarin"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("pa", "Punjabi"),
    ("ro", "Romanian"),
    ("sk", "Slovak"),
    ("so", "Somali"),
    ("es", "Spanish"),
    ("ti", "Tigrinya"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
    ("cy", "Welsh"),
]

STATEMENTS = [
    (
        "data_processing",
        "Using my information",
        "I agree that Tandem can keep the information I give, use it to match me with work "
        "and pay me, and share my display name with research teams I work with. Tandem will "
        "never share my legal name, access needs or payment answers with anyone outside its "
        "staff. I can download or delete my information at any time.",
    ),
    (
        "contact",
        "Contact about opportunities",
        "Tandem can email me about panels, scoring rounds and other paid work that matches "
        "what I want to advise on.",
    ),
    (
        "quoted",
        "Being quoted",
        "Research teams can quote things I say in sessions, without my name unless I agree "
        "for that piece of work.",
    ),
    (
        "recorded",
        "Being recorded",
        "Sessions I join can be audio or video recorded, to help the research team take "
        "notes. Recordings are deleted after the notes are written.",
    ),
    (
        "public_credit",
        "Public credit",
        "My name (the one I choose) can appear in the credits of work I helped with, when I "
        "have chosen to be credited by name.",
    ),
]


def add_reference_data(apps, schema_editor):
    Language = apps.get_model("engagement", "Language")
    ConsentStatement = apps.get_model("engagement", "ConsentStatement")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    for kind, title, text in STATEMENTS:
        ConsentStatement.objects.get_or_create(
            kind=kind, version=1, defaults={"title": title, "text": text}
        )


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_initial")]

    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
