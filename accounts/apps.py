from django.apps import AppConfig
from django.db.models.signals import post_migrate
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="accounts.role_groups")


def _sync_role_groups(sender, using="default", **kwargs):
    from accounts.services.roles import role_groups_sync

    role_groups_sync(using=using)


class TandemUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for Tandem's User (no first or last name)."""

    user_viewset = "accounts.viewsets.UserViewSet"
