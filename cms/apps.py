from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Tandem site"

    def ready(self):
        from cms import signals  # noqa: F401
