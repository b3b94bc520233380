"""Wagtail admin building blocks for records that only change through services, and the
outbox's list of undelivered emails."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.ui.tables import Column, DateColumn, RelatedObjectsColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from core.models import OutboundEmail
from core.selectors import outbound_email_list_needing_attention
from core.services.outbox import email_resend


class ViewOnlyPolicy(ModelPermissionPolicy):
    """Staff may list and inspect; every change goes through a service instead of a form."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


class ViewOnlyViewSet(ModelViewSet):
    """A listing and a detail page, with no generic add, edit or delete views at all."""

    inspect_view_enabled = True

    @property
    def permission_policy(self):
        return ViewOnlyPolicy(self.model)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class AddOnlyPolicy(ModelPermissionPolicy):
    """Records that are never edited or deleted once written (append-only)."""

    def user_has_permission(self, user, action):
        return action in {"view", "add"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NoDeletePolicy(ModelPermissionPolicy):
    """Records that are kept: closing them is a transition, not a deletion."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NoCopyModelViewSet(ModelViewSet):
    """Wagtail's copy view binds its form to the original row, so "copy" would save over it
    (and over a consent statement people already agreed to). Tandem never offers it."""

    copy_view_enabled = False


class LabelledColumn(Column):
    """A listing cell that carries its column's name, so that on a phone, where the table
    stacks into one card per row, each value keeps its label (see static/css/admin.css).
    Empty values show a dash, never "None"."""

    cell_template_name = "tables/labelled_cell.html"


class LabelledDateColumn(LabelledColumn):
    """A date in UK style (30 Nov 2026) rather than "3 days ago"."""

    cell_template_name = "tables/labelled_date_cell.html"


class LabelledRelatedObjectsColumn(RelatedObjectsColumn):
    cell_template_name = "tables/labelled_related_objects_cell.html"


class OutboundEmailIndexView(IndexView):
    def get_base_queryset(self):
        return outbound_email_list_needing_attention()


class OutboundEmailInspectView(InspectView):
    """What staff need to judge a stuck email, and never what it says or where it goes: the
    address, subject and bodies stay encrypted and unread."""

    resend_url_name = None

    def get_fields(self):
        # Fixed here rather than taken from the viewset, whose default is every field.
        return [
            "template",
            "recipient",
            "created_at",
            "queued_at",
            "attempts",
            "last_error",
            "next_attempt_at",
            "failed_at",
            "sent_at",
        ]

    def get_object(self, queryset=None):
        return get_object_or_404(
            OutboundEmail.objects.defer("to_address", "subject", "body_text", "body_html"),
            pk=self.pk,
        )

    def get_recipient_display_value(self):
        return _recipient_name(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resend_url"] = reverse(self.resend_url_name, args=(self.object.pk,))
        context["give_up_hours"] = settings.OUTBOX_GIVE_UP_HOURS
        return context


class OutboundEmailResendView(PermissionCheckedMixin, View):
    """POST only: the outbox's `email_resend` decides whether the email may go again."""

    permission_required = "view"
    http_method_names = ["post"]
    permission_policy = None
    inspect_url_name = None

    def post(self, request, pk: int):
        email = get_object_or_404(OutboundEmail.objects.only("pk"), pk=pk)
        if email_resend(email_id=email.pk, by=request.user):
            messages.success(request, _("The email is queued to be sent again."))
        else:
            messages.error(request, _("This email has been sent, or is being sent right now."))
        return redirect(self.inspect_url_name, email.pk)


def _recipient_name(email: OutboundEmail) -> str:
    # The display name only: never the address, which User.__str__ falls back to.
    return email.recipient.display_name if email.recipient else "-"


class OutboundEmailViewSet(ViewOnlyViewSet):
    """Emails the outbox gave up on or that are stuck, for Coordinators to resend."""

    model = OutboundEmail
    name = "outbound-emails"
    icon = "mail"
    menu_label = _("Undelivered emails")
    add_to_admin_menu = True
    menu_order = 900
    index_view_class = OutboundEmailIndexView
    inspect_view_class = OutboundEmailInspectView
    inspect_template_name = "core/admin/outbound_email_inspect.html"
    list_display = [
        "__str__",
        Column("recipient", label=_("Recipient"), accessor=_recipient_name),
        DateColumn("created_at", label=_("Created")),
        Column("attempts", label=_("Attempts")),
        Column("last_error", label=_("Last error")),
        DateColumn("failed_at", label=_("Given up")),
    ]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            resend_url_name=self.get_url_name("resend"), **kwargs
        )

    @property
    def resend_view(self):
        return OutboundEmailResendView.as_view(
            permission_policy=self.permission_policy,
            inspect_url_name=self.get_url_name("inspect"),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("resend/<int:pk>/", self.resend_view, name="resend"),
        ]
