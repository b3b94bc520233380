from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import SiteSettings
from cms.services.documents import document_place_new, documents_visibility_sync
from core.public_cache import public_cache_invalidate
from payments.models import RateCard


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(sender, **kwargs):
    public_cache_invalidate()


@receiver(post_delete, sender=Page)
@receiver(post_save, sender=SiteSettings)
def _shell_source_changed(sender, **kwargs):
    public_cache_invalidate()


# The "How we pay" page shows the rates of the card in force (cms.blocks.RatesBlock). Cleared
# again once the change commits, so a page rendered meanwhile from the old card is not kept.
@receiver(post_save, sender=RateCard)
@receiver(post_delete, sender=RateCard)
def _rates_changed(sender, **kwargs):
    public_cache_invalidate()
    transaction.on_commit(public_cache_invalidate)


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(post_delete, sender=Page)
@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def _what_pages_publish_changed(sender, **kwargs):
    # After commit, so the sync sees this change together with any made alongside it.
    transaction.on_commit(documents_visibility_sync)


@receiver(pre_save, sender=get_document_model())
def _document_saving(sender, instance, **kwargs):
    if instance._state.adding:
        document_place_new(document=instance)
