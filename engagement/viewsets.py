"""Staff screens in the Wagtail admin: the expert directory and vetting, and the lists
coordinators manage (topics, languages, consent wording, panels)."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.ui.tables import Column, DateColumn, RelatedObjectsColumn
from wagtail.admin.views.generic import CreateView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from core.viewsets import AddOnlyPolicy, ViewOnlyViewSet
from engagement.forms import VettingMessageForm
from engagement.models import (
    ConsentStatement,
    ExpertProfile,
    Language,
    Panel,
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
    expert_list_available_for_contact,
)
from engagement.services.consents import consent_statement_publish
from engagement.services.experts import (
    TransitionNotAllowed,
    expert_activate,
    expert_decline,
    expert_request_info,
)
from engagement.services.privacy import SENSITIVE_FIELDS, sensitive_field_reveal


class ExpertFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ExpertProfile.Status.choices, widget=forms.CheckboxSelectMultiple
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
        return expert_directory().exclude(status=ExpertProfile.Status.DRAFT)


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
        if not request.user.has_perm("engagement.vet_expert", profile):
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in self.actions:
            messages.error(request, _("Choose what to do with this application."))
            return redirect(request.path)
        kwargs = {"profile": profile, "by": request.user}
        if action != "activate":
            form = VettingMessageForm(request.POST, prefix=action)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(message_forms={action: form}))
            kwargs["message"] = form.cleaned_data["message"]
        try:
            self.actions[action](**kwargs)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Done. The expert has been emailed."))
        return redirect(request.path)

    def get_context_data(self, message_forms=None, **kwargs):
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
            can_vet=user.has_perm("engagement.vet_expert", profile),
            message_forms={
                action: message_forms.get(action) or VettingMessageForm(prefix=action)
                for action in ("request_info", "decline")
            },
            history=profile.status_changes.select_related("changed_by"),
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
        Column("reference", label=_("Reference")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("region", label=_("Region"), accessor="get_region_display"),
        RelatedObjectsColumn("topics", label=_("Topics")),
        Column("hours_per_month", label=_("Hours a month")),
        DateColumn("submitted_at", label=_("Applied")),
    ]


class ConsentStatementCreateView(CreateView):
    def save_instance(self):
        return consent_statement_publish(**self.form.cleaned_data)


class ConsentStatementViewSet(ModelViewSet):
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


class TopicViewSet(ModelViewSet):
    model = Topic
    name = "topics"
    icon = "tag"
    menu_label = _("Expertise topics")
    form_fields = ["name", "description", "is_active", "sort_order"]
    list_display = ["name", "is_active", "sort_order"]
    search_fields = ["name"]


class LanguageViewSet(ModelViewSet):
    model = Language
    name = "languages"
    icon = "globe"
    menu_label = _("Languages")
    form_fields = ["name", "code", "is_active"]
    list_display = ["name", "code", "is_active"]
    search_fields = ["name"]


class PanelViewSet(ModelViewSet):
    model = Panel
    name = "panels"
    icon = "group"
    menu_label = _("Panels")
    list_display = ["name", DateColumn("created_at", label=_("Created"))]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("coordinators", widget=forms.CheckboxSelectMultiple),
        InlinePanel(
            "memberships",
            heading=_("Members"),
            panels=[
                FieldPanel("expert"),
                FieldPanel("role"),
                FieldPanel("started_on"),
                FieldPanel("ended_on"),
            ],
        ),
    ]


class AdvisersGroup(ModelViewSetGroup):
    menu_label = _("Advisers")
    menu_icon = "group"
    menu_order = 150
    items = (ExpertViewSet, PanelViewSet, TopicViewSet, LanguageViewSet, ConsentStatementViewSet)
