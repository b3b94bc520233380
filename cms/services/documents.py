"""Only what a page publishes is public.

Uploaded documents live in the private collection, which only Coordinators and Finance may
open. A document moves to the published collection while a live, public page links to it, and
back once none does. Documents that someone placed in any other collection are left where
they are."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, ReferenceIndex

from accounts.services.roles import PRIVATE_DOCUMENTS, PUBLISHED_DOCUMENTS


def document_place_new(*, document) -> None:
    """An upload that names no collection of its own (the root: a superuser's default, or code
    that does not say) starts private. Call before the document is first saved."""
    if document.collection.depth == 1:
        private = Collection.objects.filter(depth=2, name=PRIVATE_DOCUMENTS).first()
        if private is not None:
            document.collection = private


def documents_visibility_sync() -> None:
    """Keep each document in the private or the published collection public exactly while a
    live page outside any private section links to it (Wagtail's reference index says which
    documents a page's live content links to). Runs after every change to what pages are
    live; the collection row lock makes concurrent runs take turns, so each sees what the
    one before it committed."""
    with transaction.atomic():
        collections = {
            collection.name: collection
            for collection in Collection.objects.select_for_update()
            .filter(depth=2, name__in=[PRIVATE_DOCUMENTS, PUBLISHED_DOCUMENTS])
            .order_by("pk")
        }
        if len(collections) < 2:  # before the cms migration that creates them
            return
        private = collections[PRIVATE_DOCUMENTS]
        published = collections[PUBLISHED_DOCUMENTS]
        Document = get_document_model()
        public_pages = (
            Page.objects.live()
            .public()
            .annotate(pk_text=Cast("pk", output_field=CharField()))
            .values("pk_text")
        )
        linked = {
            int(pk)
            for pk in ReferenceIndex.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Page),
                object_id__in=public_pages,
                to_content_type=ContentType.objects.get_for_model(Document),
            ).values_list("to_object_id", flat=True)
        }
        _move(Document.objects.filter(collection=private, pk__in=linked), to=published)
        _move(Document.objects.filter(collection=published).exclude(pk__in=linked), to=private)


def _move(documents, *, to: Collection) -> None:
    # One save per document, not an update(): the search index records each one's collection.
    for document in documents:
        document.collection = to
        document.save(update_fields=["collection"])
