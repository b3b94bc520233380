from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Tandem site"

    def ready(self):
        from cms import signals  # noqa: F401

        post_migrate.connect(
            _sync_document_visibility, sender=self, dispatch_uid="cms.document_visibility"
        )


def _sync_document_visibility(sender, **kwargs):
    # The migration that made uploads private cannot read the reference index; this publishes
    # again what live pages link to, and keeps it right after every migrate.
    from cms.services.documents import documents_visibility_sync

    documents_visibility_sync()
