"""Role groups (accounts.services.roles): what role_groups_sync grants Coordinators on pages and
collections, from a clean slate and when the collections are not as Tandem made them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from accounts.roles import Role
from accounts.services.roles import PRIVATE_DOCUMENTS, PUBLISHED_DOCUMENTS, role_groups_sync

IMAGES = {"add_image", "change_image", "choose_image"}
PRIVATE = {"add_document", "change_document", "choose_document"}
PUBLISHED = {"change_document", "choose_document"}


def coordinators() -> Group:
    return Group.objects.get(name=Role.COORDINATOR.value)


def collection_grants() -> set[tuple[int, str, str]]:
    return set(
        GroupCollectionPermission.objects.filter(group=coordinators()).values_list(
            "collection__depth", "collection__name", "permission__codename"
        )
    )


def grants(depth: int, name: str, codenames: set[str]) -> set[tuple[int, str, str]]:
    return {(depth, name, codename) for codename in codenames}


@pytest.mark.django_db
def test_the_role_sync_gives_coordinators_exactly_their_page_and_collection_grants():
    GroupPagePermission.objects.filter(group=coordinators()).delete()
    GroupCollectionPermission.objects.filter(group=coordinators()).delete()

    role_groups_sync()

    root = Page.objects.get(depth=1)
    assert set(
        GroupPagePermission.objects.filter(group=coordinators()).values_list(
            "page", "permission__codename"
        )
    ) == {(root.pk, "add_page"), (root.pk, "change_page"), (root.pk, "publish_page")}
    root_name = Collection.get_first_root_node().name
    assert collection_grants() == (
        grants(1, root_name, IMAGES)
        | grants(2, PRIVATE_DOCUMENTS, PRIVATE)
        | grants(2, PUBLISHED_DOCUMENTS, PUBLISHED)
    )


@pytest.mark.django_db
def test_only_tandems_top_level_document_collections_get_grants_and_one_missing_stops_nothing():
    # The private collection renamed, and a folder of the same name nested elsewhere: neither
    # is Tandem's private collection, and the published one is still granted.
    Collection.objects.filter(depth=2, name=PRIVATE_DOCUMENTS).update(name="Old private")
    board = Collection.get_first_root_node().add_child(name="Board papers")
    board.add_child(name=PRIVATE_DOCUMENTS)

    role_groups_sync()

    root_name = Collection.get_first_root_node().name
    assert collection_grants() == (
        grants(1, root_name, IMAGES) | grants(2, PUBLISHED_DOCUMENTS, PUBLISHED)
    )


@pytest.mark.django_db
def test_the_role_sync_recreates_a_missing_permission_without_printing(capsys):
    Permission.objects.filter(codename="delete_topic").delete()

    role_groups_sync()

    assert Permission.objects.filter(
        content_type__app_label="engagement", codename="delete_topic"
    ).exists()
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_a_permission_of_the_same_name_in_another_app_does_not_confuse_the_role_sync():
    """Roles name each permission with its app: another app's `view_page` is never granted."""
    elsewhere = ContentType.objects.create(app_label="elsewhere", model="page")
    Permission.objects.create(content_type=elsewhere, codename="view_page", name="Can view page")
    Permission.objects.create(
        content_type=elsewhere, codename="view_honorarium", name="Can view honorarium"
    )

    role_groups_sync()

    finance = Group.objects.get(name=Role.FINANCE.value)
    assert not finance.permissions.filter(content_type=elsewhere).exists()
    assert finance.permissions.filter(
        content_type__app_label="payments", codename="view_honorarium"
    ).exists()
