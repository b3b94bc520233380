"""Only what a page publishes is public: uploaded documents are private (Coordinators and
Finance only) until a live page links to them, and private again once none does."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management.sql import emit_post_migrate_signal
from wagtail.documents import get_document_model
from wagtail.documents.permissions import permission_policy
from wagtail.models import Collection, GroupCollectionPermission, PageViewRestriction
from wagtail.rich_text import RichText

from accounts.roles import Role
from accounts.services.roles import PRIVATE_DOCUMENTS, PUBLISHED_DOCUMENTS, role_groups_sync
from cms.models import StandardPage
from cms.seed import site_seed
from tests.factories import UserFactory, coordinator, expert, finance

ROOT = Path(__file__).resolve().parents[2]
Document = get_document_model()
CONTENT = b"Minutes of the panel meeting, not for publication."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def home(db):
    return site_seed()


def collection(name: str) -> Collection:
    return Collection.objects.get(depth=2, name=name)


def upload(**fields):
    return Document.objects.create(
        title="Panel minutes", file=ContentFile(CONTENT, name="minutes.txt"), **fields
    )


def linking_page(home, document, slug="minutes"):
    body = [
        ("paragraph", RichText(f'<p><a linktype="document" id="{document.pk}">Minutes</a></p>'))
    ]
    return home.add_child(instance=StandardPage(title="Minutes", slug=slug, body=body))


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def collection_of(document) -> str:
    document.refresh_from_db()
    return document.collection.name


@pytest.mark.django_db
def test_the_private_collection_is_open_to_coordinators_and_finance_only():
    (restriction,) = collection(PRIVATE_DOCUMENTS).get_view_restrictions()

    assert restriction.restriction_type == "groups"
    assert sorted(restriction.groups.values_list("name", flat=True)) == ["Coordinator", "Finance"]
    assert list(collection(PUBLISHED_DOCUMENTS).get_view_restrictions()) == []


@pytest.mark.django_db
def test_an_upload_that_names_no_collection_is_private():
    assert collection_of(upload()) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_coordinators_may_add_documents_to_the_private_collection_only():
    staff = coordinator()

    addable = permission_policy.collections_user_has_permission_for(staff, "add")
    choosable = permission_policy.collections_user_has_permission_for(staff, "choose")

    assert [c.name for c in addable] == [PRIVATE_DOCUMENTS]
    assert sorted(c.name for c in choosable) == [PRIVATE_DOCUMENTS, PUBLISHED_DOCUMENTS]


@pytest.mark.django_db
def test_a_coordinators_upload_in_the_admin_lands_in_the_private_collection(client):
    client.force_login(coordinator())

    response = client.post(
        "/admin/documents/multiple/add/",
        {"files[]": ContentFile(CONTENT, name="minutes.txt"), "title": "Panel minutes"},
    )

    assert response.status_code == 200, response.content
    assert collection_of(Document.objects.get()) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_anonymous_visitors_get_no_private_document(client):
    document = upload()

    response = client.get(document.url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={document.url}"


@pytest.mark.django_db
def test_experts_get_no_private_document(client):
    document = upload()
    client.force_login(expert().user)

    response = client.get(document.url)

    assert response.status_code == 403
    assert CONTENT not in response.content


@pytest.mark.django_db
def test_researchers_get_no_private_document(client):
    document = upload()
    client.force_login(UserFactory(role=Role.RESEARCHER))

    assert client.get(document.url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [coordinator, finance])
def test_coordinators_and_finance_get_private_documents(client, staff):
    document = upload()
    client.force_login(staff())

    response = client.get(document.url)

    assert response.status_code == 200
    assert content(response) == CONTENT


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as DEBUG builds it (config.urls was imported without DEBUG)."""
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location("debug_urls", ROOT / "config" / "urls.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["debug_urls"] = module
    settings.ROOT_URLCONF = "debug_urls"
    yield
    del sys.modules["debug_urls"]


@pytest.mark.django_db
def test_debug_serves_images_but_never_documents_from_media(client, settings, debug_urls):
    document = upload()
    image = settings.MEDIA_ROOT / "original_images" / "river.png"
    image.parent.mkdir()
    image.write_bytes(b"not really a png")
    client.force_login(coordinator())

    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert content(client.get("/media/original_images/river.png")) == b"not really a png"
    assert content(client.get(document.url)) == CONTENT


@pytest.mark.django_db
def test_publishing_a_page_that_links_a_document_makes_it_public(
    client, home, django_capture_on_commit_callbacks
):
    document = upload()
    page = linking_page(home, document)

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert collection_of(document) == PUBLISHED_DOCUMENTS
    response = client.get(document.url)
    assert response.status_code == 200
    assert content(response) == CONTENT


@pytest.mark.django_db
def test_a_draft_that_links_a_document_does_not_publish_it(
    home, django_capture_on_commit_callbacks
):
    document = upload()
    page = home.add_child(instance=StandardPage(title="Minutes", slug="minutes"))
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    page.body = [("paragraph", RichText(f'<p><a linktype="document" id="{document.pk}">M</a></p>'))]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision()

    assert collection_of(document) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_unpublishing_the_page_makes_the_document_private_again(
    client, home, django_capture_on_commit_callbacks
):
    document = upload()
    page = linking_page(home, document)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert collection_of(document) == PRIVATE_DOCUMENTS
    assert client.get(document.url).status_code == 302


@pytest.mark.django_db
def test_a_document_stays_public_while_another_live_page_links_it(
    home, django_capture_on_commit_callbacks
):
    document = upload()
    first = linking_page(home, document, slug="first")
    second = linking_page(home, document, slug="second")
    with django_capture_on_commit_callbacks(execute=True):
        first.save_revision().publish()
        second.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()

    assert collection_of(document) == PUBLISHED_DOCUMENTS

    with django_capture_on_commit_callbacks(execute=True):
        second.delete()

    assert collection_of(document) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_republishing_a_page_without_the_link_makes_the_document_private(
    home, django_capture_on_commit_callbacks
):
    document = upload()
    page = linking_page(home, document)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    page.body = []
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert collection_of(document) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_a_page_in_a_private_section_does_not_publish_its_documents(
    home, django_capture_on_commit_callbacks
):
    document = upload()
    page = linking_page(home, document)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type="login")

    assert collection_of(document) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_documents_in_other_collections_are_left_alone(home, django_capture_on_commit_callbacks):
    board = Collection.get_first_root_node().add_child(name="Board papers")
    document = upload(collection=board)
    page = linking_page(home, document)

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert collection_of(document) == "Board papers"


@pytest.mark.django_db
def test_the_migration_makes_earlier_uploads_private_and_migrate_republishes_linked_ones(
    home, django_capture_on_commit_callbacks
):
    migration = importlib.import_module("cms.migrations.0002_document_collections")
    root = Collection.get_first_root_node()
    linked, unlinked = upload(), upload()
    with django_capture_on_commit_callbacks(execute=True):
        linking_page(home, linked).save_revision().publish()
    # As they were before the migration: everything in the root collection, public.
    Document.objects.update(collection=root)

    migration.create_document_collections(django_apps, None)
    assert (collection_of(linked), collection_of(unlinked)) == (PRIVATE_DOCUMENTS,) * 2
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert collection_of(linked) == PUBLISHED_DOCUMENTS
    assert collection_of(unlinked) == PRIVATE_DOCUMENTS
    assert Collection.objects.filter(depth=2).count() == 2
    assert len(collection(PRIVATE_DOCUMENTS).get_view_restrictions()) == 1


@pytest.mark.django_db
def test_the_role_sync_takes_back_adding_documents_outside_the_private_collection():
    coordinators = Group.objects.get(name=Role.COORDINATOR.value)
    GroupCollectionPermission.objects.create(
        group=coordinators,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename="add_document"),
    )

    role_groups_sync()

    assert sorted(
        GroupCollectionPermission.objects.filter(
            group=coordinators, permission__codename="add_document"
        ).values_list("collection__name", flat=True)
    ) == [PRIVATE_DOCUMENTS]


@pytest.mark.django_db
def test_a_sync_moves_only_what_a_live_page_links_into_the_top_level_published_collection(
    home, django_capture_on_commit_callbacks
):
    from django.db.models.signals import post_save

    from cms.services.documents import documents_visibility_sync

    # A folder someone made inside the private collection, with the published one's name.
    collection(PRIVATE_DOCUMENTS).add_child(name=PUBLISHED_DOCUMENTS)
    linked, unlinked = upload(), upload()
    with django_capture_on_commit_callbacks(execute=True):
        linking_page(home, linked).save_revision().publish()
    Document.objects.filter(pk=linked.pk).update(collection=collection(PRIVATE_DOCUMENTS))
    saved = []

    def record(sender, instance, **kwargs):
        saved.append((instance.pk, instance.collection.get_parent().depth))

    post_save.connect(record, sender=Document)
    try:
        documents_visibility_sync()
    finally:
        post_save.disconnect(record, sender=Document)

    # One save (the search index follows each), into the published collection at the top.
    assert saved == [(linked.pk, 1)]
    assert collection_of(linked) == PUBLISHED_DOCUMENTS
    assert collection_of(unlinked) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_a_sync_without_a_published_collection_leaves_documents_where_they_are(home):
    from cms.services.documents import documents_visibility_sync

    renamed = collection(PUBLISHED_DOCUMENTS)
    renamed.name = "Old published documents"
    renamed.save()
    document = upload()
    linking_page(home, document).save_revision().publish()

    documents_visibility_sync()

    assert collection_of(document) == PRIVATE_DOCUMENTS


@pytest.mark.django_db
def test_an_upload_goes_to_the_top_level_private_collection_not_one_listed_before_it():
    # Collections are kept in alphabetical order: "Archive" and its own folder named like the
    # private collection come first.
    archive = Collection.get_first_root_node().add_child(name="Archive")
    archive.add_child(name=PRIVATE_DOCUMENTS)

    document = upload()

    assert document.collection == collection(PRIVATE_DOCUMENTS)


@pytest.mark.django_db
def test_a_page_linking_another_page_does_not_publish_a_document_with_the_same_id(
    home, django_capture_on_commit_callbacks
):
    """The reference index holds links to pages, images and documents alike: only a link to a
    document publishes a document."""
    document = upload(pk=home.pk)
    body = [("paragraph", RichText(f'<p><a linktype="page" id="{home.pk}">Home</a></p>'))]
    page = home.add_child(instance=StandardPage(title="Our work", slug="our-work", body=body))

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert collection_of(document) == PRIVATE_DOCUMENTS
