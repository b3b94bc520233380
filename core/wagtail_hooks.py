from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core.viewsets import OutboundEmailViewSet


@hooks.register("register_admin_viewset")
def register_outbound_emails():
    return OutboundEmailViewSet()


@hooks.register("register_log_actions")
def register_outbox_actions(actions):
    actions.register_action(
        "tandem.email_resend", _("Resend email"), _("Email queued to be sent again")
    )
