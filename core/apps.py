from celery import current_app
from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Tandem core"

    def ready(self):
        # Services enqueue tasks by name (core.enqueue); register every app's tasks in web
        # processes too, not only in workers, so that eager mode can run them.
        current_app.autodiscover_tasks(force=True)
