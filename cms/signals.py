from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import SiteSettings
from cms.services.documents import document_place_new, documents_visibility_sync
from core.models import AuditEvent
from core.public_cache import public_cache_invalidate
from engagement.models import Criterion, Descriptor, FundingCall, Panel, ScoringRound
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


# The funding call pages (cms.models.FundingCallIndexPage) show each public call, its round's
# criteria, descriptors and group weights, and its co-design panel's name. A draft call shows
# nowhere, so changes to a draft leave the cache alone. Cleared again on commit, as above.
def _call_pages_changed() -> None:
    public_cache_invalidate()
    transaction.on_commit(public_cache_invalidate)


_PUBLIC_CALLS = FundingCall.objects.exclude(status=FundingCall.Status.DRAFT)


@receiver(post_save, sender=FundingCall)
@receiver(post_delete, sender=FundingCall)
def _call_changed(sender, instance, **kwargs):
    if instance.status != FundingCall.Status.DRAFT:
        _call_pages_changed()


# A call opens and closes by compare-and-set (core.transitions), which sends no post_save:
# its audit event says it happened.
@receiver(post_save, sender=AuditEvent)
def _call_status_changed(sender, instance, created, **kwargs):
    if created and instance.action in {"fundingcall.open", "fundingcall.close"}:
        _call_pages_changed()


@receiver(post_save, sender=ScoringRound)
@receiver(post_delete, sender=ScoringRound)
def _round_changed(sender, instance, **kwargs):
    if _PUBLIC_CALLS.filter(pk=instance.call_id).exists():
        _call_pages_changed()


@receiver(post_save, sender=Criterion)
@receiver(post_delete, sender=Criterion)
def _criterion_changed(sender, instance, **kwargs):
    if _PUBLIC_CALLS.filter(round__pk=instance.round_id).exists():
        _call_pages_changed()


@receiver(post_save, sender=Descriptor)
@receiver(post_delete, sender=Descriptor)
def _descriptor_changed(sender, instance, **kwargs):
    if _PUBLIC_CALLS.filter(round__criteria__pk=instance.criterion_id).exists():
        _call_pages_changed()


# Only the panel's name shows, and only for a panel that co-designed a public call: the name
# it was loaded with is kept, so saving a panel costs a query only when its name changed.
@receiver(post_init, sender=Panel)
def _panel_loaded(sender, instance, **kwargs):
    # Read without loading a deferred name (None then: a save checks the calls).
    instance._name_shown = instance.__dict__.get("name")


@receiver(post_save, sender=Panel)
def _panel_changed(sender, instance, created, **kwargs):
    if created or instance.name == instance._name_shown:
        return
    instance._name_shown = instance.name
    if _PUBLIC_CALLS.filter(co_design_panel=instance).exists():
        _call_pages_changed()
