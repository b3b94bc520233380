from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from accounts.roles import Role

# Model permissions per role, as "app_label.codename". Object-level limits (whose record,
# which panel) are predicates in each app's rules.py, checked on top of these.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.EXPERT: (),
    Role.RESEARCHER: (),
    Role.COORDINATOR: (
        "wagtailadmin.access_admin",
        "engagement.view_expertprofile",
        "engagement.add_topic",
        "engagement.change_topic",
        "engagement.view_topic",
        "engagement.add_language",
        "engagement.change_language",
        "engagement.view_language",
        "engagement.add_consentstatement",
        "engagement.view_consentstatement",
        "engagement.add_panel",
        "engagement.change_panel",
        "engagement.view_panel",
        "engagement.delete_panel",
        "engagement.view_advisoryrequest",
        "cms.change_sitesettings",
        "core.view_outboundemail",
        "payments.view_ratecard",
        "payments.view_expense",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ),
    Role.FINANCE: (
        "wagtailadmin.access_admin",
        "engagement.view_expertprofile",
        "payments.view_honorarium",
        "payments.view_ratecard",
        "payments.add_ratecard",
        "payments.view_expense",
    ),
}
COORDINATOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
# Documents are private until a live page links to them (cms/services/documents.py). Their
# collections are created by a cms migration; only Coordinators and Finance may open the
# private one.
PRIVATE_DOCUMENTS = "Private documents"
PUBLISHED_DOCUMENTS = "Published documents"
# Coordinators' collection permissions, by top-level collection name (None: the root, and so
# every collection). They may add documents only to the private collection, so every upload
# lands there; they work with the documents in both of Tandem's document collections.
COLLECTION_PERMISSIONS: dict[str | None, tuple[str, ...]] = {
    None: ("wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image"),
    PRIVATE_DOCUMENTS: (
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ),
    PUBLISHED_DOCUMENTS: ("wagtaildocs.change_document", "wagtaildocs.choose_document"),
}


def role_groups_sync(*, using: str = "default") -> None:
    """Create each role's group and give it exactly its listed permissions. Idempotent."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    with transaction.atomic(using=using):
        for role, perm_names in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.using(using).get_or_create(name=role.value)
            permissions = [_permission(name, using) for name in perm_names]
            group.permissions.set(permissions)
        coordinators = Group.objects.using(using).get(name=Role.COORDINATOR.value)
        root_page = Page.objects.using(using).filter(depth=1).first()
        if root_page is not None:
            for codename in COORDINATOR_PAGE_PERMISSIONS:
                GroupPagePermission.objects.using(using).get_or_create(
                    group=coordinators,
                    page=root_page,
                    permission=_permission(f"wagtailcore.{codename}", using),
                )
        granted = []
        for name, perm_names in COLLECTION_PERMISSIONS.items():
            collection = _collection(name, using)
            if collection is None:  # before the migrations that create it
                continue
            for perm_name in perm_names:
                grant, _ = GroupCollectionPermission.objects.using(using).get_or_create(
                    group=coordinators,
                    collection=collection,
                    permission=_permission(perm_name, using),
                )
                granted.append(grant.pk)
        GroupCollectionPermission.objects.using(using).filter(group=coordinators).exclude(
            pk__in=granted
        ).delete()


def _collection(name: str | None, using: str) -> Collection | None:
    collections = Collection.objects.using(using)
    if name is None:
        return collections.filter(depth=1).first()
    return collections.filter(depth=2, name=name).first()


def _permission(name: str, using: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
