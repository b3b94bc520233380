from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import SiteSettings
from core.public_cache import public_cache_invalidate


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(sender, **kwargs):
    public_cache_invalidate()


@receiver(post_delete, sender=Page)
@receiver(post_save, sender=SiteSettings)
def _shell_source_changed(sender, **kwargs):
    public_cache_invalidate()
