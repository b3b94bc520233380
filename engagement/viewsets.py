"""Staff screens in the Wagtail admin: the expert directory and vetting, panels, and the
lists coordinators manage (topics, languages, consent wording). No generic form here writes a
status or who may see whom: those change through services only."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views.generic import CreateView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSetGroup

from accounts.roles import Role, has_role
from core.transitions import TransitionNotAllowed
from core.viewsets import (
    AddOnlyPolicy,
    LabelledColumn,
    LabelledDateColumn,
    LabelledRelatedObjectsColumn,
    NoCopyModelViewSet,
    NoDeletePolicy,
    ViewOnlyViewSet,
)
from engagement.forms import (
    InvitationChooseForm,
    PanelCoordinatorAddForm,
    PanelMemberAddForm,
    TriageMessageForm,
    VettingMessageForm,
)
from engagement.models import (
    AdvisoryRequest,
    ConsentStatement,
    ExpertProfile,
    Invitation,
    Language,
    Panel,
    PanelMembership,
    Region,
    SensitiveAccess,
    Topic,
)
from engagement.selectors.consents import consents_current_for
from engagement.selectors.experts import (
    access_needs_display,
    availability_display,
    effective_credit,
    expert_directory,
    expert_history_display,
    expert_list_available_for_contact,
    expert_memberships,
)
from engagement.selectors.invitations import panel_invitations
from engagement.selectors.matching import panel_suggestions
from engagement.selectors.panels import panel_detail
from engagement.selectors.teams import advisory_request_detail, advisory_requests_for_triage
from engagement.services.consents import consent_statement_publish
from engagement.services.experts import expert_activate, expert_decline, expert_request_info
from engagement.services.invitations import invitation_withdraw, invitations_create
from engagement.services.panels import (
    panel_coordinator_add,
    panel_coordinator_remove,
    panel_create,
    panel_member_add,
    panel_membership_end,
)
from engagement.services.privacy import SENSITIVE_FIELDS, sensitive_field_reveal
from engagement.services.requests import (
    advisory_request_accept,
    advisory_request_decline,
    advisory_request_request_changes,
)


class ExpertFilterSet(WagtailFilterSet):
    # Unfinished applications are never listed, so they are not offered as a filter.
    status = django_filters.MultipleChoiceFilter(
        choices=[
            (value, label)
            for value, label in ExpertProfile.Status.choices
            if value != ExpertProfile.Status.DRAFT
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    topics = django_filters.ModelMultipleChoiceFilter(
        queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    languages = django_filters.ModelMultipleChoiceFilter(
        queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    region = django_filters.ChoiceFilter(choices=Region.choices)
    min_hours = django_filters.NumberFilter(
        field_name="hours_per_month", lookup_expr="gte", label=_("At least (hours a month)")
    )
    max_hours = django_filters.NumberFilter(
        field_name="hours_per_month", lookup_expr="lte", label=_("At most (hours a month)")
    )
    available = django_filters.BooleanFilter(
        method="filter_available", label=_("Can be invited now")
    )

    class Meta:
        model = ExpertProfile
        fields = []

    def filter_available(self, queryset, name, value):
        available = expert_list_available_for_contact().values("pk")
        if value is True:
            return queryset.filter(pk__in=available)
        if value is False:
            return queryset.exclude(pk__in=available)
        return queryset


class ExpertIndexView(IndexView):
    def get_base_queryset(self):
        return expert_directory()


class ExpertInspectView(InspectView):
    """One expert's record. Sensitive fields stay hidden until a permitted viewer asks to see
    one, and each such view is logged for the expert to see. Coordinators vet from here."""

    template_name = "engagement/admin/expert_inspect.html"
    actions = {
        "activate": expert_activate,
        "request_info": expert_request_info,
        "decline": expert_decline,
    }

    def get_object(self, queryset=None):
        return get_object_or_404(expert_directory(), pk=self.pk)

    def get_fields(self):
        return []

    def post(self, request, *args, **kwargs):
        profile = self.object
        may = ExpertProfile.workflow.permitted(request.user, profile) & set(self.actions)
        if not may:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in self.actions:
            messages.error(request, _("Choose what to do with this application."))
            return redirect(request.path)
        kwargs = {"profile": profile, "by": request.user}
        if action == "activate" and request.POST.get("confirmed") != "yes":
            # Accepting gives the Expert role and sends a welcome: ask once more first.
            return self.render_to_response(self.get_context_data(confirm_activate=True))
        if action != "activate":
            form = VettingMessageForm(request.POST, prefix=action)
            if not form.is_valid():
                # Bring the question with the problem into view when the page opens.
                form.fields["message"].widget.attrs["autofocus"] = True
                return self.render_to_response(
                    self.get_context_data(message_forms={action: form}, invalid_action=action)
                )
            kwargs["message"] = form.cleaned_data["message"]
        try:
            self.actions[action](**kwargs)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Done. The expert has been emailed."))
        return redirect(request.path)

    def get_context_data(
        self, message_forms=None, confirm_activate=False, invalid_action=None, **kwargs
    ):
        context = super().get_context_data(**kwargs)
        profile = self.object
        user = self.request.user
        consents = consents_current_for(profile)
        shown = self.request.GET.get("show")
        revealed = {}
        if shown in SensitiveAccess.Field.values:
            revealed[shown] = sensitive_field_reveal(viewer=user, profile=profile, field=shown)
        if SensitiveAccess.Field.ACCESS_NEEDS in revealed:
            revealed["access_needs"] = access_needs_display(revealed["access_needs"])
        message_forms = message_forms or {}
        context.update(
            profile=profile,
            consents=[(label, consents.get(kind)) for kind, label in ConsentStatement.Kind.choices],
            credit=ExpertProfile.Credit(effective_credit(profile, consents)).label
            if profile.credit_preference
            else "",
            availability=availability_display(profile.availability),
            revealed=revealed,
            may={
                **{field: user.has_perm(perm, profile) for field, perm in SENSITIVE_FIELDS.items()},
                "payment_method": user.has_perm("engagement.view_expert_payment_method", profile),
            },
            vetting=ExpertProfile.workflow.permitted(user, profile) & set(self.actions),
            message_forms={
                action: message_forms.get(action) or VettingMessageForm(prefix=action)
                for action in ("request_info", "decline")
            },
            history=expert_history_display(profile),
            show_messages=has_role(user, Role.COORDINATOR),
            confirm_activate=confirm_activate,
            invalid_form=message_forms.get(invalid_action) if invalid_action else None,
            memberships=expert_memberships(profile),
        )
        return context


class ExpertViewSet(ViewOnlyViewSet):
    model = ExpertProfile
    name = "experts"
    icon = "group"
    menu_label = _("Experts")
    index_view_class = ExpertIndexView
    inspect_view_class = ExpertInspectView
    filterset_class = ExpertFilterSet
    search_fields = None
    list_per_page = 50
    ordering = ["-submitted_at"]
    list_display = [
        "__str__",
        LabelledColumn("reference", label=_("Reference")),
        LabelledColumn("status", label=_("Status"), accessor="get_status_display"),
        LabelledColumn("region", label=_("Region"), accessor="get_region_display"),
        LabelledRelatedObjectsColumn("topics", label=_("Topics")),
        LabelledColumn("hours_per_month", label=_("Hours a month")),
        LabelledDateColumn("submitted_at", label=_("Applied")),
    ]


class ConsentStatementCreateView(CreateView):
    def save_instance(self):
        return consent_statement_publish(**self.form.cleaned_data)


class ConsentStatementViewSet(NoCopyModelViewSet):
    model = ConsentStatement
    name = "consent-statements"
    icon = "doc-full"
    menu_label = _("Consent wording")
    form_fields = ["kind", "title", "text"]
    add_view_class = ConsentStatementCreateView
    inspect_view_enabled = True
    list_display = ["__str__", "title", DateColumn("published_at", label=_("Published"))]
    list_filter = ["kind"]

    @property
    def permission_policy(self):
        return AddOnlyPolicy(self.model)


class TopicViewSet(NoCopyModelViewSet):
    model = Topic
    name = "topics"
    icon = "tag"
    menu_label = _("Expertise topics")
    form_fields = ["name", "description", "is_active", "sort_order"]
    list_display = ["name", "is_active", "sort_order"]
    search_fields = ["name"]


class LanguageViewSet(NoCopyModelViewSet):
    model = Language
    name = "languages"
    icon = "globe"
    menu_label = _("Languages")
    form_fields = ["name", "code", "is_active"]
    list_display = ["name", "code", "is_active"]
    search_fields = ["name"]


class PanelCreateView(CreateView):
    def save_instance(self):
        return panel_create(
            name=self.form.cleaned_data["name"],
            description=self.form.cleaned_data["description"],
            region=self.form.cleaned_data["region"],
            by=self.request.user,
        )


class PanelInspectView(InspectView):
    """A panel's coordinators and members. Only the panel's own coordinators may change who
    is on it, each change through a service that checks and records it; only they see the
    suggested experts, choose whom to invite (and the waitlist), and see the invitations."""

    template_name = "engagement/admin/panel_inspect.html"
    actions = (
        "add_member",
        "end_membership",
        "add_coordinator",
        "remove_coordinator",
        "invite",
        "withdraw_invitation",
    )

    def get_fields(self):
        return []

    def post(self, request, *args, **kwargs):
        panel = self.object
        if not request.user.has_perm("engagement.manage_panel", panel):
            raise PermissionDenied
        action = request.POST.get("action")
        forms_ = {}
        try:
            if action == "add_member":
                form = PanelMemberAddForm(request.POST, panel=panel)
                if not form.is_valid():
                    forms_["member_form"] = form
                else:
                    panel_member_add(panel=panel, by=request.user, **form.cleaned_data)
            elif action == "add_coordinator":
                form = PanelCoordinatorAddForm(request.POST, panel=panel)
                if not form.is_valid():
                    forms_["coordinator_form"] = form
                else:
                    panel_coordinator_add(
                        panel=panel, coordinator=form.cleaned_data["coordinator"], by=request.user
                    )
            elif action == "end_membership":
                membership = PanelMembership.objects.filter(
                    panel=panel, pk=request.POST.get("membership")
                ).first()
                if membership is None:
                    raise TransitionNotAllowed(_("Choose a member of this panel."))
                panel_membership_end(membership=membership, by=request.user)
            elif action == "invite":
                form = InvitationChooseForm(request.POST, suggestions=panel_suggestions(panel))
                if not form.is_valid():
                    forms_["invite_form"] = form
                else:
                    chosen = ExpertProfile.objects.in_bulk(
                        [*form.cleaned_data["invite"], *form.cleaned_data["waitlist"]]
                    )
                    invitations_create(
                        panel=panel,
                        invitees=[chosen[pk] for pk in form.cleaned_data["invite"]],
                        waitlist=[chosen[pk] for pk in form.cleaned_data["waitlist"]],
                        by=request.user,
                    )
            elif action == "withdraw_invitation":
                invitation = Invitation.objects.filter(
                    panel=panel, pk=request.POST.get("invitation")
                ).first()
                if invitation is None:
                    raise TransitionNotAllowed(_("Choose an invitation of this panel."))
                invitation_withdraw(invitation=invitation, by=request.user)
            elif action == "remove_coordinator":
                coordinator = panel.coordinators.filter(pk=request.POST.get("coordinator")).first()
                if coordinator is None:
                    raise TransitionNotAllowed(_("Choose a coordinator of this panel."))
                panel_coordinator_remove(panel=panel, coordinator=coordinator, by=request.user)
            else:
                raise TransitionNotAllowed(_("Choose what to change on this panel."))
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(request.path)
        if forms_:
            return self.render_to_response(self.get_context_data(**forms_))
        messages.success(request, _("Saved. The change has been recorded."))
        return redirect(request.path)

    def get_context_data(self, member_form=None, coordinator_form=None, invite_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        panel = self.object
        may_manage = self.request.user.has_perm("engagement.manage_panel", panel)
        context.update(
            panel_detail(panel),
            may_manage=may_manage,
            member_form=member_form or PanelMemberAddForm(panel=panel),
            coordinator_form=coordinator_form or PanelCoordinatorAddForm(panel=panel),
        )
        if may_manage:
            invite_form = invite_form or InvitationChooseForm(suggestions=panel_suggestions(panel))
            invitations = list(panel_invitations(panel))
            for invitation in invitations:
                # The actor rule for withdrawing is runs_panel, which may_manage has checked.
                invitation.may_withdraw = Invitation.workflow.state_allows(invitation, "withdraw")
            context.update(
                suggestions=invite_form.suggestion_list,
                invite_form=invite_form,
                invitations=invitations,
                seats_taken=panel.invitations.outstanding().count(),
            )
        return context


class PanelViewSet(NoCopyModelViewSet):
    model = Panel
    name = "panels"
    icon = "group"
    menu_label = _("Panels")
    list_display = ["name", DateColumn("created_at", label=_("Created"))]
    search_fields = ["name"]
    # Name, description and region only: coordinators and members change on the panel's own page.
    form_fields = ["name", "description", "region"]
    add_view_class = PanelCreateView
    inspect_view_class = PanelInspectView
    inspect_view_enabled = True

    @property
    def permission_policy(self):
        return NoDeletePolicy(self.model)


def _days_waiting(advisory_request: AdvisoryRequest):
    if advisory_request.status != AdvisoryRequest.Status.SUBMITTED:
        return None
    return (timezone.localdate() - timezone.localdate(advisory_request.submitted_at)).days


class AdvisoryRequestFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[
            (value, label)
            for value, label in AdvisoryRequest.Status.choices
            if value != AdvisoryRequest.Status.DRAFT
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AdvisoryRequest
        fields = []


class AdvisoryRequestIndexView(IndexView):
    def get_base_queryset(self):
        return advisory_requests_for_triage()


class AdvisoryRequestInspectView(InspectView):
    """Triage: a coordinator accepts a team's request (forming its panel), asks for changes
    or declines it, each with a message the whole team gets by email."""

    template_name = "engagement/admin/request_inspect.html"
    actions = {
        "accept": advisory_request_accept,
        "request_changes": advisory_request_request_changes,
        "decline": advisory_request_decline,
    }

    def get_object(self, queryset=None):
        return get_object_or_404(advisory_requests_for_triage(), pk=self.pk)

    def get_fields(self):
        return []

    def post(self, request, *args, **kwargs):
        advisory_request = self.object
        if not AdvisoryRequest.workflow.permitted(request.user, advisory_request) & set(
            self.actions
        ):
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in self.actions:
            messages.error(request, _("Choose what to do with this request."))
            return redirect(request.path)
        form = TriageMessageForm(request.POST, prefix=action)
        if not form.is_valid():
            form.fields["message"].widget.attrs["autofocus"] = True
            return self.render_to_response(
                self.get_context_data(message_forms={action: form}, invalid_action=action)
            )
        try:
            self.actions[action](
                advisory_request=advisory_request,
                by=request.user,
                message=form.cleaned_data["message"],
            )
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Done. Every member of the team has been emailed."))
        return redirect(request.path)

    def get_context_data(self, message_forms=None, invalid_action=None, **kwargs):
        context = super().get_context_data(**kwargs)
        advisory_request = self.object
        message_forms = message_forms or {}
        context.update(
            advisory_request_detail(advisory_request),
            may=AdvisoryRequest.workflow.permitted(self.request.user, advisory_request)
            & set(self.actions),
            message_forms={
                action: message_forms.get(action) or TriageMessageForm(prefix=action)
                for action in self.actions
            },
            invalid_form=message_forms.get(invalid_action) if invalid_action else None,
            days_waiting=_days_waiting(advisory_request),
        )
        return context


class AdvisoryRequestViewSet(ViewOnlyViewSet):
    model = AdvisoryRequest
    name = "advisory-requests"
    icon = "help"
    menu_label = _("Requests for advice")
    index_view_class = AdvisoryRequestIndexView
    inspect_view_class = AdvisoryRequestInspectView
    filterset_class = AdvisoryRequestFilterSet
    search_fields = None
    list_per_page = 50
    ordering = ["submitted_at", "pk"]
    list_display = [
        "__str__",
        LabelledColumn("team", label=_("Research team"), accessor="team.name"),
        LabelledColumn("status", label=_("Status"), accessor="get_status_display"),
        LabelledDateColumn("submitted_at", label=_("Sent")),
        LabelledColumn("waiting", label=_("Days waiting"), accessor=_days_waiting),
    ]


class AdvisersGroup(ModelViewSetGroup):
    menu_label = _("Advisers")
    menu_icon = "group"
    menu_order = 150
    items = (
        ExpertViewSet,
        AdvisoryRequestViewSet,
        PanelViewSet,
        TopicViewSet,
        LanguageViewSet,
        ConsentStatementViewSet,
    )
