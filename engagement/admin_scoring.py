"""Coordinators' admin pages for a scoring round: assigning reviewers (the plan previewed,
applied, then changed by hand), moderation (the ranking with its figures and spread, and the
panel's decisions) and the round's CSV export.

Staff are not blind to teams: these pages show team and lead organisation, after the blind
fields. Every change is a POST through a service in engagement.services.scoring; nothing here
writes a model itself."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.transitions import TransitionNotAllowed
from engagement import assignment
from engagement.admin_scoring_forms import AssignmentAddForm, AssignmentWithdrawForm, DecisionForm
from engagement.charts import spread_svg, spread_text
from engagement.models import Proposal, ReviewAssignment, ReviewerGroup, ScoringRound
from engagement.selectors import scoring as sel
from engagement.services.scoring import (
    assignment_add,
    assignment_apply,
    assignment_plan,
    assignment_withdraw,
    decision_record,
    round_export_csv,
)

Phase = ScoringRound.Phase
ASSIGNING_PHASES = {Phase.CONFLICTS, Phase.SCORING}
MODERATION_PHASES = {Phase.SCORING, Phase.MODERATION, Phase.CLOSED}
GROUP_LABELS = dict(ReviewerGroup.choices)


def _round_for(request, round_id: int) -> ScoringRound:
    """The round, for coordinators only (an unknown round is a 404 for staff)."""
    scoring_round = get_object_or_404(ScoringRound.objects.select_related("call"), pk=round_id)
    if not request.user.has_perm("engagement.moderate_round", scoring_round):
        raise PermissionDenied
    return scoring_round


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Assignment


@dataclass
class PlannedReviewer:
    name: str
    group: str
    reasons: list[str]


@dataclass
class ProposalPlan:
    proposal: sel.StaffProposal
    current: list[str]  # reviewers it has now
    planned: list[PlannedReviewer] = field(default_factory=list)
    shortfall: list[str] = field(default_factory=list)  # why it cannot be covered, in words


def _why(pair: assignment.Assignment, group: str, topics: dict[int, str]) -> list[str]:
    reasons = [
        _("Lived-experience reviewer, counts towards the minimum for this proposal")
        if pair.counts_towards_lived_minimum
        else _("%(group)s reviewer") % {"group": GROUP_LABELS.get(group, group)}
    ]
    if pair.shared_topics:
        reasons.append(
            _("Shares topics: %(topics)s")
            % {"topics": ", ".join(topics.get(t, "?") for t in pair.shared_topics)}
        )
    else:
        reasons.append(_("No topic in common; chosen to keep loads even"))
    reasons.append(
        _("Will have %(load)s of at most %(cap)s proposals")
        % {"load": pair.load_after, "cap": pair.cap}
    )
    return reasons


def _shortfall_words(s: assignment.Shortfall, lived_minimum: int) -> list[str]:
    words = []
    if s.missing:
        words.append(
            ngettext("Still needs %(n)s reviewer.", "Still needs %(n)s reviewers.", s.missing)
            % {"n": s.missing}
        )
    if s.lived_missing:
        words.append(
            ngettext(
                "Still needs %(n)s lived-experience reviewer (the round asks for %(min)s).",
                "Still needs %(n)s lived-experience reviewers (the round asks for %(min)s).",
                s.lived_missing,
            )
            % {"n": s.lived_missing, "min": lived_minimum}
        )
    words.append(
        _(
            "Of the reviewers in the round, %(conflicted)s have a conflict with it, "
            "%(assigned)s already review it or were taken off it, and %(eligible)s could take it."
        )
        % {
            "conflicted": s.conflicted,
            "assigned": s.already_assigned,
            "eligible": s.eligible,
        }
    )
    if s.eligible_without_capacity:
        words.append(
            ngettext(
                "%(n)s of those who could take it has no room left under their cap.",
                "%(n)s of those who could take it have no room left under their cap.",
                s.eligible_without_capacity,
            )
            % {"n": s.eligible_without_capacity}
        )
    if s.lived_missing:
        words.append(
            ngettext(
                "Only %(n)s lived-experience reviewer could take it.",
                "Only %(n)s lived-experience reviewers could take it.",
                s.eligible_lived,
            )
            % {"n": s.eligible_lived}
        )
    return words


def _assignment_context(scoring_round: ScoringRound, add_form=None, withdraw_errors=None):
    overview = sel.assignment_overview(scoring_round)
    plan = assignment_plan(scoring_round=scoring_round)
    reviewers = {r.user_id: r for r in overview.reviewers}
    topics = sel.topic_names(t for pair in plan.assignments for t in pair.shared_topics)
    rows = {p.proposal_id: ProposalPlan(proposal=p, current=[]) for p in overview.proposals}
    for live in overview.live:
        if live.proposal_id in rows and live.reviewer_id in reviewers:
            rows[live.proposal_id].current.append(reviewers[live.reviewer_id].name)
    for pair in plan.assignments:
        reviewer = reviewers[pair.reviewer_id]
        rows[pair.proposal_id].planned.append(
            PlannedReviewer(
                name=reviewer.name,
                group=GROUP_LABELS.get(reviewer.group, reviewer.group),
                reasons=_why(pair, reviewer.group, topics),
            )
        )
    shortfalls = []
    for s in plan.shortfalls:
        rows[s.proposal_id].shortfall = _shortfall_words(s, scoring_round.lived_minimum)
        shortfalls.append(rows[s.proposal_id])
    proposals = {p.proposal_id: p for p in overview.proposals}
    live_rows = [
        {
            "assignment": live,
            "proposal": proposals[live.proposal_id],
            "reviewer": reviewers.get(live.reviewer_id),
            "errors": (withdraw_errors or {}).get(live.assignment_id, []),
        }
        for live in overview.live
        if live.proposal_id in proposals
    ]
    if add_form is None:
        add_form = _add_form(overview)
    may_assign = scoring_round.phase in ASSIGNING_PHASES
    return {
        "scoring_round": scoring_round,
        "rows": list(rows.values()),
        "shortfalls": shortfalls,
        "new_count": len(plan.assignments),
        "loads": [
            {
                "reviewer": r,
                "group": GROUP_LABELS.get(r.group, r.group),
                "after": plan.loads.get(r.user_id, r.load),
            }
            for r in overview.reviewers
        ],
        "live_rows": live_rows,
        "add_form": add_form,
        "may_assign": may_assign,
        "may_withdraw": scoring_round.phase != Phase.CLOSED,
        "has_errors": bool(add_form.is_bound and add_form.errors) or bool(withdraw_errors),
        "withdraw_errors": withdraw_errors or {},
        "page_title": _("Assign reviewers: %(call)s") % {"call": scoring_round.call.title},
    }


def _add_form(overview: sel.AssignmentOverview, data=None) -> AssignmentAddForm:
    return AssignmentAddForm(
        data,
        proposals=[(p.proposal_id, f"{p.reference}: {p.title}") for p in overview.proposals],
        reviewers=[
            (
                r.user_id,
                _("%(name)s (%(group)s, %(load)s of at most %(cap)s)")
                % {
                    "name": r.name,
                    "group": GROUP_LABELS.get(r.group, r.group),
                    "load": r.load,
                    "cap": r.cap,
                },
            )
            for r in overview.reviewers
        ],
    )


@require_http_methods(["GET", "POST"])
def assignment_view(request, round_id: int):
    """The plan for the round, previewed (nothing saved until "Apply"), the reviewers'
    loads, and the live reviews, which a coordinator may add to or take back by hand."""
    scoring_round = _round_for(request, round_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "apply":
            return _apply(request, scoring_round)
        if action == "add":
            return _add(request, scoring_round)
        if action == "withdraw":
            return _withdraw(request, scoring_round)
        messages.error(request, _("Choose what to do."))
        return redirect("scoring_assignment", scoring_round.pk)
    return TemplateResponse(
        request, "engagement/admin/scoring/assignment.html", _assignment_context(scoring_round)
    )


def _apply(request, scoring_round: ScoringRound):
    try:
        created = assignment_apply(scoring_round=scoring_round, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        if created:
            messages.success(
                request,
                ngettext("%(n)s review assigned.", "%(n)s reviews assigned.", len(created))
                % {"n": len(created)},
            )
        else:
            messages.info(request, _("Nothing new to assign: the plan had no reviews to add."))
    return redirect("scoring_assignment", scoring_round.pk)


def _add(request, scoring_round: ScoringRound):
    overview = sel.assignment_overview(scoring_round)
    form = _add_form(overview, request.POST)
    if form.is_valid():
        proposal = Proposal.objects.filter(
            pk=form.cleaned_data["proposal"], call_id=scoring_round.call_id
        ).first()
        reviewer = User.objects.filter(pk=form.cleaned_data["reviewer"]).first()
        if proposal is None or reviewer is None:
            form.add_error(None, _("That proposal or reviewer is no longer in the round."))
        else:
            try:
                assignment_add(
                    scoring_round=scoring_round,
                    proposal=proposal,
                    reviewer=reviewer,
                    by=request.user,
                )
            except TransitionNotAllowed as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("%(reviewer)s now reviews %(proposal)s.")
                    % {"reviewer": reviewer.display_name, "proposal": proposal.reference},
                )
                return redirect("scoring_assignment", scoring_round.pk)
    return TemplateResponse(
        request,
        "engagement/admin/scoring/assignment.html",
        _assignment_context(scoring_round, add_form=form),
    )


def _withdraw(request, scoring_round: ScoringRound):
    form = AssignmentWithdrawForm(request.POST)
    pk = _int(request.POST.get("assignment"))
    live = (
        ReviewAssignment.objects.filter(pk=pk, round=scoring_round)
        .select_related("proposal")
        .first()
        if pk is not None
        else None
    )
    if live is None:
        messages.error(request, _("That review is not in this round."))
        return redirect("scoring_assignment", scoring_round.pk)
    if not form.is_valid():
        return TemplateResponse(
            request,
            "engagement/admin/scoring/assignment.html",
            _assignment_context(
                scoring_round,
                withdraw_errors={live.pk: [e for errors in form.errors.values() for e in errors]},
            ),
        )
    try:
        assignment_withdraw(assignment=live, by=request.user, reason=form.cleaned_data["reason"])
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Review of %(proposal)s taken back. It is not replaced automatically.")
            % {"proposal": live.proposal.reference},
        )
    return redirect("scoring_assignment", scoring_round.pk)


# Moderation


def _voter_choices(reviewers: list[sel.RoundReviewerRow]) -> list[tuple[int, str]]:
    return [(r.user_id, f"{r.name} ({GROUP_LABELS.get(r.group, r.group)})") for r in reviewers]


def _moderation_context(
    scoring_round: ScoringRound, bound: DecisionForm | None = None, bound_id=None
):
    rows = sel.moderation_rows(scoring_round)
    staff = {p.proposal_id: p for p in sel.round_proposals_for_staff(scoring_round)}
    live = sel.live_review_counts(scoring_round)
    voters = sel.decision_voters(scoring_round)
    may_decide = scoring_round.phase == Phase.MODERATION
    choices = _voter_choices(sel.round_reviewer_rows(scoring_round)) if may_decide else []
    lines = []
    for row in rows:
        s = row.scores
        totals = [r.total for r in s.reviews] if s else []
        form = None
        if may_decide:
            if bound is not None and bound_id == row.proposal_id:
                form = bound
            else:
                form = DecisionForm(
                    prefix=f"p{row.proposal_id}",
                    voters=choices,
                    initial={"outcome": row.outcome, "rationale": row.rationale},
                )
        lines.append(
            {
                "row": row,
                "staff": staff.get(row.proposal_id),
                "live": live.get(row.proposal_id, 0),
                "group_means": [
                    (label, s.group_means.get(group) if s else None)
                    for group, label in ReviewerGroup.choices
                ],
                "reviews": [
                    {
                        "group": GROUP_LABELS.get(r.group, r.group),
                        "total": r.total,
                        "calibrated": r.calibrated,
                    }
                    for r in (s.reviews if s else ())
                ],
                "chart": spread_svg(
                    totals,
                    mean=s.mean,
                    scale_min=scoring_round.scale_min,
                    scale_max=scoring_round.scale_max,
                )
                if s
                else "",
                "chart_text": spread_text(totals, s.mean) if s else "",
                "voters": voters.get(row.proposal_id, []),
                "form": form,
            }
        )
    return {
        "scoring_round": scoring_round,
        "lines": lines,
        "may_decide": may_decide,
        "bound": bound,
        "bound_id": bound_id,
        "show_figures": scoring_round.phase in MODERATION_PHASES,
        "page_title": _("Moderation: %(call)s") % {"call": scoring_round.call.title},
    }


@require_http_methods(["GET", "POST"])
def moderation_view(request, round_id: int):
    """The ranking by the published group-weighted score, each proposal with its figures and
    spread; in the moderation phase, the panel's decision on each."""
    scoring_round = _round_for(request, round_id)
    if request.method == "POST":
        return _decide(request, scoring_round)
    return TemplateResponse(
        request, "engagement/admin/scoring/moderation.html", _moderation_context(scoring_round)
    )


def _decide(request, scoring_round: ScoringRound):
    back = redirect("scoring_moderation", scoring_round.pk)
    pk = _int(request.POST.get("proposal"))
    proposal = Proposal.objects.filter(pk=pk, call_id=scoring_round.call_id).first() if pk else None
    if proposal is None:
        messages.error(request, _("Choose a proposal in this round."))
        return back
    form = DecisionForm(
        request.POST,
        prefix=f"p{proposal.pk}",
        voters=_voter_choices(sel.round_reviewer_rows(scoring_round)),
    )
    if form.is_valid():
        try:
            decision = decision_record(
                scoring_round=scoring_round,
                proposal=proposal,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                voters=list(User.objects.filter(pk__in=form.cleaned_data["voters"])),
                by=request.user,
            )
        except ValidationError as invalid:
            for name, errors in invalid.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return back
        else:
            messages.success(
                request,
                _("Decision recorded for %(proposal)s: %(outcome)s.")
                % {"proposal": proposal.reference, "outcome": decision.get_outcome_display()},
            )
            return back
    return TemplateResponse(
        request,
        "engagement/admin/scoring/moderation.html",
        _moderation_context(scoring_round, bound=form, bound_id=proposal.pk),
    )


# Export


@require_http_methods(["GET"])
def export_view(request, round_id: int):
    """The whole round as CSV (blind like every export: reference and title, no team)."""
    scoring_round = _round_for(request, round_id)
    content = round_export_csv(scoring_round=scoring_round, by=request.user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scoring_round.call.slug}-scores.csv"'
    return response


def admin_urls():
    """Registered in the Wagtail admin under /admin/ (names are linked from other pages)."""
    return [
        path(
            "scoring-rounds/<int:round_id>/assignment/", assignment_view, name="scoring_assignment"
        ),
        path(
            "scoring-rounds/<int:round_id>/moderation/", moderation_view, name="scoring_moderation"
        ),
        path("scoring-rounds/<int:round_id>/export.csv", export_view, name="scoring_export"),
    ]
