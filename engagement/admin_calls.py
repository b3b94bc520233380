"""Coordinators set up funding calls and their scoring rounds in the Wagtail admin: the call
(drafted, edited while a draft, opened and closed), its proposals (listed, imported from CSV,
documents downloaded), and its round (settings, co-design status, reviewers, conflicts of
interest and phases). Every change goes through a service; these views only check who is
asking and show what the service says."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin.views.generic import CreateView, EditView, IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.rules import is_coordinator
from core.services.audit import audit_record
from core.transitions import TransitionNotAllowed
from core.viewsets import LabelledColumn, LabelledDateColumn, NoCopyModelViewSet
from engagement.call_admin_forms import (
    ConflictAddForm,
    CriteriaReopenForm,
    FundingCallForm,
    ProposalImportForm,
    ReviewerAddForm,
    ScoringRoundForm,
)
from engagement.models import (
    ConflictDeclaration,
    FundingCall,
    Proposal,
    RoundReviewer,
    ScoringRound,
)
from engagement.selectors.call_setup import (
    call_for_staff,
    call_list_for_staff,
    call_proposals,
    round_conflicts,
    round_counts,
    round_for_staff,
    round_reviewers,
)
from engagement.services.call_setup import (
    CALL_FIELDS,
    ROUND_FIELDS,
    call_create,
    call_update,
    round_create,
    round_update,
)
from engagement.services.calls import (
    IMPORT_COLUMNS,
    IMPORT_OPTIONAL_COLUMNS,
    call_close,
    call_open,
    criteria_problems,
    criteria_reopen,
    proposals_import_csv,
)
from engagement.services.scoring import (
    conflict_declare,
    conflict_remove,
    reviewer_add,
    reviewer_remove,
    round_phase_advance,
)

Phase = ScoringRound.Phase
NEXT_PHASE = {
    Phase.SETUP: Phase.CONFLICTS,
    Phase.CONFLICTS: Phase.SCORING,
    Phase.SCORING: Phase.MODERATION,
    Phase.MODERATION: Phase.CLOSED,
}
# What each phase lets reviewers see and do, in the words shown beside the phase buttons.
PHASE_EXPLAINED = {
    Phase.SETUP: gettext_lazy(
        "Reviewers see nothing yet. You choose the settings and the reviewers; the co-design "
        "panel drafts and approves the criteria."
    ),
    Phase.CONFLICTS: gettext_lazy(
        "Reviewers see the list of proposals (reference, title and plain-language summary) and "
        "declare any conflicts of interest. Nobody scores yet. You can still add or remove "
        "reviewers and assign proposals."
    ),
    Phase.SCORING: gettext_lazy(
        "Reviewers are emailed and score the proposals given to them against the criteria. In "
        "a blind round they never see the team or its organisations. They do not see each "
        "other's scores. The call must be closed first."
    ),
    Phase.MODERATION: gettext_lazy(
        "Scoring ends. Reviewers can see everyone's scores, and the moderation panel records "
        "its decisions."
    ),
    Phase.CLOSED: gettext_lazy("The round is finished: nothing more can change."),
}
SAMPLE_ROW = (
    "A-17",
    "Safe housing after exploitation",
    "We will ask people what made housing feel safe.",
    "The full plan for the study.",
    "25000",
    "University of Tandem",
    "A team of three researchers.",
    "Safe Homes Charity; Housing Advice Line",
    "Housing",
)


class CoordinatorPolicy(ModelPermissionPolicy):
    """Coordinators list, add, inspect and change; nobody deletes (a call is closed, never
    deleted). Finance and everyone else have no access."""

    actions = frozenset({"view", "add", "change"})

    def user_has_permission(self, user, action):
        return action in self.actions and is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def _require_coordinator(request) -> None:
    if not is_coordinator(request.user):
        raise PermissionDenied


def _call_or_404(call_id) -> FundingCall:
    call = call_for_staff(call_id)
    if call is None:
        raise Http404
    return call


def _round_or_404(round_id) -> ScoringRound:
    scoring_round = round_for_staff(round_id)
    if scoring_round is None:
        raise Http404
    return scoring_round


def _render(request, template: str, context: dict, status: int = 200):
    return TemplateResponse(request, f"engagement/admin/calls/{template}", context, status=status)


# Funding calls


class FundingCallIndexView(IndexView):
    def get_base_queryset(self):
        return call_list_for_staff()


class _CallFormMixin:
    """Saves through a service; its refusals come back as form errors or a message."""

    def _data(self):
        return {name: self.form.cleaned_data[name] for name in CALL_FIELDS}

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        except TransitionNotAllowed as refusal:
            messages.error(self.request, str(refusal))
            return redirect("calls:inspect", self.object.pk)


class FundingCallCreateView(_CallFormMixin, CreateView):
    def save_instance(self):
        return call_create(by=self.request.user, data=self._data())

    def get_success_url(self):
        return reverse("calls:inspect", args=(self.object.pk,))


class FundingCallEditView(_CallFormMixin, EditView):
    """Only a draft call's details change: an open or closed call is shown instead."""

    def _not_draft(self):
        self.object = self.get_object()
        if self.object.status == FundingCall.Status.DRAFT:
            return None
        messages.error(self.request, _("The call has opened: its details cannot change now."))
        return redirect("calls:inspect", self.object.pk)

    def get(self, request, *args, **kwargs):
        return self._not_draft() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._not_draft() or super().post(request, *args, **kwargs)

    def save_instance(self):
        return call_update(call=self.object, by=self.request.user, data=self._data())

    def get_success_url(self):
        return reverse("calls:inspect", args=(self.object.pk,))


class FundingCallInspectView(InspectView):
    template_name = "engagement/admin/calls/call_inspect.html"

    def get_object(self, queryset=None):
        return _call_or_404(self.pk)

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = self.object
        scoring_round = getattr(call, "round", None)
        context.update(
            call=call,
            scoring_round=scoring_round,
            problems=criteria_problems(scoring_round) if scoring_round else [],
            may_edit=call.status == FundingCall.Status.DRAFT,
            may_open=FundingCall.workflow.permits(self.request.user, call, "open"),
            may_close=FundingCall.workflow.permits(self.request.user, call, "close"),
        )
        return context


CALL_ACTIONS = {
    "open": {
        "service": call_open,
        "title": gettext_lazy("Open the call"),
        "explain": gettext_lazy(
            "Research teams can send proposals from the opening date until the closing date. "
            "The criteria and the call's details cannot change once it is open."
        ),
        "done": gettext_lazy("The call is open."),
    },
    "close": {
        "service": call_close,
        "title": gettext_lazy("Close the call"),
        "explain": gettext_lazy(
            "No more proposals can be sent, even before the closing date. This cannot be "
            "undone. Scoring can start once the call is closed."
        ),
        "done": gettext_lazy("The call is closed to proposals."),
    },
}


@require_http_methods(["GET", "POST"])
def call_transition_view(request, pk: int, action: str):
    """Opening and closing a call: a page that says what it means, then a POST. A refusal
    changes nothing and says why."""
    _require_coordinator(request)
    call = _call_or_404(pk)
    details = CALL_ACTIONS[action]
    if request.method == "POST":
        try:
            details["service"](call=call, by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, str(details["done"]))
        return redirect("calls:inspect", call.pk)
    scoring_round = getattr(call, "round", None)
    return _render(
        request,
        "call_confirm.html",
        {
            "call": call,
            "action": action,
            "details": details,
            "page_title": details["title"],
            "problems": criteria_problems(scoring_round)
            if action == "open" and scoring_round
            else [],
            "scoring_round": scoring_round,
        },
    )


@require_http_methods(["GET"])
def call_proposals_view(request, pk: int):
    _require_coordinator(request)
    call = _call_or_404(pk)
    return _render(
        request,
        "proposals.html",
        {
            "call": call,
            "proposals": call_proposals(call),
            "page_title": _("Proposals"),
        },
    )


@require_http_methods(["GET", "POST"])
def proposals_import_view(request, pk: int):
    """Upload a CSV of proposals: all rows are imported, or none, with a message for each
    problem (row number, column and what to fix)."""
    _require_coordinator(request)
    call = _call_or_404(pk)
    problems = []
    form = (
        ProposalImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else ProposalImportForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = proposals_import_csv(
                call=call, by=request.user, content=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            problems = error.messages
        except TransitionNotAllowed as refusal:
            problems = [str(refusal)]
        else:
            messages.success(
                request,
                _("%(created)s proposals added; %(unchanged)s already imported, left as they were.")
                % {"created": len(result.created), "unchanged": result.unchanged},
            )
            return redirect("calls:proposals", call.pk)
    return _render(
        request,
        "proposals_import.html",
        {
            "call": call,
            "form": form,
            "problems": problems,
            "columns": IMPORT_COLUMNS,
            "optional_columns": IMPORT_OPTIONAL_COLUMNS,
            "page_title": _("Import proposals"),
        },
        status=400 if problems else 200,
    )


@require_http_methods(["GET"])
def proposals_sample_view(request):
    """A CSV with the import's header row and one example row."""
    _require_coordinator(request)
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow((*IMPORT_COLUMNS, *IMPORT_OPTIONAL_COLUMNS))
    writer.writerow(SAMPLE_ROW)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="proposals-sample.csv"'
    return response


@require_http_methods(["GET"])
def proposal_document_view(request, proposal_id: int):
    """A proposal's PDF, for coordinators: from private storage, always as a download, and
    logged."""
    _require_coordinator(request)
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None or not proposal.attachment:
        raise Http404
    if not request.user.has_perm("engagement.view_proposal", proposal):
        raise PermissionDenied
    try:
        handle = proposal.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(actor=request.user, action="proposal.document_download", subject=proposal)
    response = FileResponse(
        handle,
        as_attachment=True,
        content_type="application/pdf",
        filename=f"proposal-{proposal.reference}.pdf",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class FundingCallViewSet(NoCopyModelViewSet):
    model = FundingCall
    name = "calls"
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Funding calls")
    add_to_admin_menu = True
    menu_order = 160
    form_fields = list(CALL_FIELDS)
    index_view_class = FundingCallIndexView
    add_view_class = FundingCallCreateView
    edit_view_class = FundingCallEditView
    inspect_view_class = FundingCallInspectView
    inspect_view_enabled = True
    search_fields = None
    list_per_page = 50
    list_display = [
        "__str__",
        LabelledColumn("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        LabelledDateColumn("opens_at", label=gettext_lazy("Opens")),
        LabelledDateColumn("closes_at", label=gettext_lazy("Closes")),
        LabelledColumn("proposal_count", label=gettext_lazy("Proposals")),
    ]

    def get_form_class(self, for_update=False):
        return FundingCallForm

    @property
    def permission_policy(self):
        return CoordinatorPolicy(self.model)

    def get_urlpatterns(self):
        return [
            *[p for p in super().get_urlpatterns() if p.name != "delete"],
            path("open/<int:pk>/", call_transition_view, {"action": "open"}, name="open"),
            path("close/<int:pk>/", call_transition_view, {"action": "close"}, name="close"),
            path("<int:pk>/proposals/", call_proposals_view, name="proposals"),
            path("<int:pk>/proposals/import/", proposals_import_view, name="proposals_import"),
            path("proposals/sample.csv", proposals_sample_view, name="proposals_sample"),
            path(
                "proposals/<int:proposal_id>/document/",
                proposal_document_view,
                name="proposal_document",
            ),
        ]


# Scoring rounds


def _round_form_page(request, form, *, call, scoring_round=None):
    return _render(
        request,
        "round_form.html",
        {
            "form": form,
            "call": call,
            "scoring_round": scoring_round,
            "page_title": _("Scoring round settings"),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def round_create_view(request, call_id: int):
    _require_coordinator(request)
    call = _call_or_404(call_id)
    existing = getattr(call, "round", None)
    if existing is not None:
        return redirect("scoring-rounds:detail", existing.pk)
    form = ScoringRoundForm(
        request.POST if request.method == "POST" else None, instance=ScoringRound(call=call)
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ROUND_FIELDS}
        try:
            created = round_create(call=call, by=request.user, data=data)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("calls:inspect", call.pk)
        else:
            messages.success(request, _("The scoring round is set up."))
            return redirect("scoring-rounds:detail", created.pk)
    return _round_form_page(request, form, call=call)


@require_http_methods(["GET", "POST"])
def round_edit_view(request, pk: int):
    _require_coordinator(request)
    scoring_round = _round_or_404(pk)
    if scoring_round.phase != Phase.SETUP:
        messages.error(request, _("The round is past its set-up: its settings cannot change now."))
        return redirect("scoring-rounds:detail", scoring_round.pk)
    form = ScoringRoundForm(
        request.POST if request.method == "POST" else None, instance=scoring_round
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ROUND_FIELDS}
        try:
            round_update(scoring_round=scoring_round, by=request.user, data=data)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("scoring-rounds:detail", scoring_round.pk)
        else:
            messages.success(request, _("The round's settings are saved."))
            return redirect("scoring-rounds:detail", scoring_round.pk)
    return _round_form_page(request, form, call=scoring_round.call, scoring_round=scoring_round)


@require_http_methods(["GET", "POST"])
def round_detail_view(request, pk: int):
    """The round's main page: its settings, the criteria's co-design status (reopened here),
    its phase (moved on here) and links to reviewers, conflicts, assignment and moderation."""
    _require_coordinator(request)
    scoring_round = _round_or_404(pk)
    reopen_form = CriteriaReopenForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "advance":
                to = request.POST.get("to", "")
                round_phase_advance(scoring_round=scoring_round, to=to, by=request.user)
                messages.success(
                    request,
                    _("The round is now in its “%(phase)s” phase.") % {"phase": Phase(to).label},
                )
            elif action == "reopen":
                reopen_form = CriteriaReopenForm(request.POST)
                if reopen_form.is_valid():
                    criteria_reopen(
                        scoring_round=scoring_round,
                        by=request.user,
                        reason=reopen_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request,
                        _("The criteria are open for changes. The panel must approve them again."),
                    )
            else:
                raise TransitionNotAllowed(_("Choose what to change in this round."))
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("scoring-rounds:detail", scoring_round.pk)
        if not reopen_form.is_bound or reopen_form.is_valid():
            return redirect("scoring-rounds:detail", scoring_round.pk)
    call = scoring_round.call
    next_phase = NEXT_PHASE.get(scoring_round.phase)
    return _render(
        request,
        "round_detail.html",
        {
            "scoring_round": scoring_round,
            "call": call,
            "counts": round_counts(scoring_round),
            "problems": criteria_problems(scoring_round),
            "reopen_form": reopen_form,
            "may_reopen": scoring_round.criteria_status == ScoringRound.CriteriaStatus.APPROVED
            and call.status == FundingCall.Status.DRAFT,
            "phases": [
                (value, label, PHASE_EXPLAINED[value], value == scoring_round.phase)
                for value, label in Phase.choices
            ],
            "next_phase": next_phase,
            "next_phase_label": Phase(next_phase).label if next_phase else "",
            "page_title": _("Scoring round"),
        },
        status=400 if reopen_form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def round_reviewers_view(request, pk: int):
    """Who reviews in the round: add someone (the group follows from who they are) or
    remove them, before scoring starts."""
    _require_coordinator(request)
    scoring_round = _round_or_404(pk)
    form = ReviewerAddForm(scoring_round=scoring_round)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = ReviewerAddForm(request.POST, scoring_round=scoring_round)
                if form.is_valid():
                    group, user = form.cleaned_data["person"]
                    try:
                        reviewer_add(
                            scoring_round=scoring_round,
                            user=user,
                            group=group,
                            by=request.user,
                            load_cap=form.cleaned_data["load_cap"],
                        )
                    except ValidationError as error:
                        form.add_error(
                            "load_cap" if "load_cap" in error.message_dict else "person",
                            error.messages,
                        )
                    else:
                        messages.success(
                            request,
                            _("%(name)s now reviews in this round.") % {"name": user.display_name},
                        )
                        return redirect("scoring-rounds:reviewers", scoring_round.pk)
            elif action == "remove":
                reviewer = (
                    RoundReviewer.objects.filter(
                        round=scoring_round, pk=_int(request.POST.get("reviewer"))
                    )
                    .select_related("user")
                    .first()
                )
                if reviewer is None:
                    raise TransitionNotAllowed(_("Choose a reviewer of this round."))
                reviewer_remove(scoring_round=scoring_round, user=reviewer.user, by=request.user)
                messages.success(
                    request,
                    _("%(name)s no longer reviews in this round.")
                    % {"name": reviewer.user.display_name},
                )
                return redirect("scoring-rounds:reviewers", scoring_round.pk)
            else:
                raise TransitionNotAllowed(_("Choose what to change in this round."))
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("scoring-rounds:reviewers", scoring_round.pk)
    return _render(
        request,
        "round_reviewers.html",
        {
            "scoring_round": scoring_round,
            "call": scoring_round.call,
            "reviewers": round_reviewers(scoring_round),
            "form": form,
            "may_change": scoring_round.phase in {Phase.SETUP, Phase.CONFLICTS},
            "page_title": _("Reviewers"),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def round_conflicts_view(request, pk: int):
    """Conflicts of interest declared in the round. A coordinator adds one for a reviewer
    (the reviewer cannot remove it) or removes any, until scoring ends."""
    _require_coordinator(request)
    scoring_round = _round_or_404(pk)
    form = ConflictAddForm(scoring_round=scoring_round)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = ConflictAddForm(request.POST, scoring_round=scoring_round)
                if form.is_valid():
                    try:
                        conflict_declare(
                            proposal=form.cleaned_data["proposal"],
                            reviewer=form.cleaned_data["reviewer"],
                            reason=form.cleaned_data["reason"],
                            note=form.cleaned_data["note"],
                            by=request.user,
                        )
                    except ValidationError as error:
                        form.add_error(None, error)
                    else:
                        messages.success(
                            request,
                            _(
                                "Conflict recorded. The reviewer will not be given this "
                                "proposal, and any review of it they had is withdrawn."
                            ),
                        )
                        return redirect("scoring-rounds:conflicts", scoring_round.pk)
            elif action == "remove":
                conflict = (
                    ConflictDeclaration.objects.filter(
                        proposal__call_id=scoring_round.call_id,
                        pk=_int(request.POST.get("conflict")),
                    )
                    .select_related("proposal")
                    .first()
                )
                if conflict is None:
                    raise TransitionNotAllowed(_("Choose a conflict in this round."))
                conflict_remove(conflict=conflict, by=request.user)
                messages.success(request, _("Conflict removed."))
                return redirect("scoring-rounds:conflicts", scoring_round.pk)
            else:
                raise TransitionNotAllowed(_("Choose what to change in this round."))
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("scoring-rounds:conflicts", scoring_round.pk)
    return _render(
        request,
        "round_conflicts.html",
        {
            "scoring_round": scoring_round,
            "call": scoring_round.call,
            "conflicts": round_conflicts(scoring_round),
            "form": form,
            "may_change": scoring_round.phase not in {Phase.MODERATION, Phase.CLOSED},
            "page_title": _("Conflicts of interest"),
        },
        status=400 if form.is_bound else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ScoringRoundViewSet(ViewSet):
    """The round's pages. No menu item: a round is reached from its call."""

    name = "scoring-rounds"

    def get_urlpatterns(self):
        return [
            path("new/<int:call_id>/", round_create_view, name="new"),
            path("<int:pk>/", round_detail_view, name="detail"),
            path("<int:pk>/settings/", round_edit_view, name="edit"),
            path("<int:pk>/reviewers/", round_reviewers_view, name="reviewers"),
            path("<int:pk>/conflicts/", round_conflicts_view, name="conflicts"),
        ]


def funding_call_viewsets() -> list:
    return [FundingCallViewSet(), ScoringRoundViewSet()]
