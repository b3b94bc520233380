from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The top layer: its management commands (the demo seed, the in-process periodic runner)
    touch every app, so they live here rather than in any one of them."""

    name = "config"
    verbose_name = "Tandem configuration"
