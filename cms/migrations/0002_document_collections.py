"""Documents are private until a live page links to them: a "Private documents" collection that
only Coordinators and Finance may open (where uploads land), and a "Published documents"
collection that cms.services.documents fills from what live pages link to. Documents already
uploaded move to the private collection; those that live pages link to are published again
by the sync that runs after every migrate."""

from django.db import migrations

PRIVATE = "Private documents"
PUBLISHED = "Published documents"
STAFF_GROUPS = ("Coordinator", "Finance")
# django-treebeard's materialised path: four base-36 digits per level.
STEP_LENGTH = 4
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _step(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, len(DIGITS))
        text = DIGITS[digit] + text
    return text.rjust(STEP_LENGTH, "0")


def _child(Collection, parent, name):
    existing = Collection.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)
    child = existing.filter(name=name).first()
    if child is not None:
        return child
    last = existing.order_by("-path").first()
    number = int(last.path[-STEP_LENGTH:], len(DIGITS)) + 1 if last else 1
    child = Collection.objects.create(
        name=name, depth=parent.depth + 1, path=parent.path + _step(number), numchild=0
    )
    parent.numchild = existing.count()
    parent.save(update_fields=["numchild"])
    return child


def create_document_collections(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionViewRestriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    Document = apps.get_model("wagtaildocs", "Document")
    Group = apps.get_model("auth", "Group")

    root = Collection.objects.get(depth=1)
    private = _child(Collection, root, PRIVATE)
    _child(Collection, root, PUBLISHED)
    restriction, _ = CollectionViewRestriction.objects.get_or_create(
        collection=private, restriction_type="groups", defaults={"password": ""}
    )
    restriction.groups.set(
        [Group.objects.get_or_create(name=name)[0] for name in STAFF_GROUPS]
    )
    Document.objects.filter(collection=root).update(collection=private)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cms", "0001_initial"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.RunPython(create_document_collections, migrations.RunPython.noop),
    ]
