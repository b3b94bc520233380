"""Reference data every installation needs: a starting list of languages (coordinators can
add more) and the first version of each consent statement.

The names and wording are marked for translation (gettext_noop): the site shows them in the
reader's language from the catalogue (locale/), while the database keeps them in English."""

from django.db import migrations
from django.utils.translation import gettext_noop

LANGUAGES = [
    ("en", gettext_noop("English")),
    ("bfi", gettext_noop("British Sign Language")),
    ("sq", gettext_noop("Albanian")),
    ("am", gettext_noop("Amharic")),
    ("ar", gettext_noop("Arabic")),
    ("bn", gettext_noop("Bengali")),
    ("bg", gettext_noop("Bulgarian")),
    ("yue", gettext_noop("Cantonese")),
    ("cs", gettext_noop("Czech")),
    ("fa", gettext_noop("Farsi")),
    ("fr", gettext_noop("French")),
    ("hu", gettext_noop("Hungarian")),
    ("ku", gettext_noop("Kurdish (Sorani)")),
    ("lt", gettext_noop("Lithuanian")),
    ("cmn", gettext_noop("Mandarin")),
    ("pl", gettext_noop("Polish")),
    ("pt", gettext_noop("Portuguese")),
    ("pa", gettext_noop("Punjabi")),
    ("ro", gettext_noop("Romanian")),
    ("sk", gettext_noop("Slovak")),
    ("so", gettext_noop("Somali")),
    ("es", gettext_noop("Spanish")),
    ("ti", gettext_noop("Tigrinya")),
    ("ur", gettext_noop("Urdu")),
    ("vi", gettext_noop("Vietnamese")),
    ("cy", gettext_noop("Welsh")),
]

STATEMENTS = [
    (
        "data_processing",
        gettext_noop("Using my information"),
        gettext_noop(
            "I agree that Tandem can keep the information I give, use it to match me with work "
            "and pay me, and share my display name with research teams I work with. Tandem will "
            "never share my legal name, access needs or payment answers with anyone outside its "
            "staff. I can download or delete my information at any time."
        ),
    ),
    (
        "contact",
        gettext_noop("Contact about opportunities"),
        gettext_noop(
            "Tandem can email me about panels, scoring rounds and other paid work that matches "
            "what I want to advise on."
        ),
    ),
    (
        "quoted",
        gettext_noop("Being quoted"),
        gettext_noop(
            "Research teams can quote things I say in sessions, without my name unless I agree "
            "for that piece of work."
        ),
    ),
    (
        "recorded",
        gettext_noop("Being recorded"),
        gettext_noop(
            "Sessions I join can be audio or video recorded, to help the research team take "
            "notes. Recordings are deleted after the notes are written."
        ),
    ),
    (
        "public_credit",
        gettext_noop("Public credit"),
        gettext_noop(
            "My name (the one I choose) can appear in the credits of work I helped with, when I "
            "have chosen to be credited by name."
        ),
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
