"""/review/: a reviewer's scoring queue, the scoring form for each proposal, stepping back
from one, and declaring conflicts of interest.

Anyone signed in has a queue (empty unless they review). A review is its reviewer's alone:
anyone else's, a withdrawn one, or one on a proposal they have a conflict with is "page not
found". Blind rounds show the proposal's blind fields only (the selectors never read the
rest). Scores are written only while the round is scoring; other phases are read-only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.transitions import TransitionNotAllowed
from engagement.models import ReviewAssignment, ScoringRound
from engagement.review_forms import AbstainForm, ConflictForm, ReviewForm, errors_to_form
from engagement.selectors.scoring import (
    ReviewPage,
    conflict_of,
    conflict_suggestions_for,
    proposals_for_conflicts,
    review_page_for,
    review_rounds_for,
    reviewer_round_for,
    round_proposal,
    round_scores,
)
from engagement.services.scoring import (
    conflict_declare,
    conflict_remove,
    review_abstain,
    review_save_draft,
    review_submit,
)

Phase = ScoringRound.Phase
Status = ReviewAssignment.Status
CONFLICT_PHASES = {Phase.CONFLICTS, Phase.SCORING}


@never_cache
@login_required
@require_safe
def review_queue(request):
    return render(
        request,
        "engagement/review/queue.html",
        {
            "rounds": review_rounds_for(request.user),
            "time_zone": request.user.time_zone,
            "now": timezone.now(),
        },
    )


def _page(request, assignment_id: int) -> ReviewPage:
    page = review_page_for(request.user, assignment_id)
    if page is None:
        raise Http404
    return page


def _mode(page: ReviewPage) -> str:
    """What the reviewer can do with this review now."""
    assignment = page.assignment
    phase = assignment.round.phase
    if assignment.status == Status.ABSTAINED:
        return "abstained"
    if phase in {Phase.SETUP, Phase.CONFLICTS}:
        return "not_started"
    if assignment.status == Status.SUBMITTED:
        return "submitted"
    if phase == Phase.SCORING:
        return "scoring"
    return "finished"


def _submitted_rows(page: ReviewPage) -> list[dict]:
    """What the reviewer submitted, against the criteria as they were then (the snapshot)."""
    descriptors = {c.id: c.descriptors for c in page.criteria}
    rows = []
    for criterion in (page.assignment.snapshot or {}).get("criteria", []):
        value, rationale = _given(page, criterion["id"])
        rows.append(
            {
                "name": criterion["name"],
                "weight": criterion["weight"],
                "value": value,
                "meaning": descriptors.get(criterion["id"], {}).get(value, ""),
                "rationale": rationale,
            }
        )
    return rows


def _given(page: ReviewPage, criterion_id: int) -> tuple[int | None, str]:
    return page.scores.get(criterion_id, (None, ""))


def _proposal_figures(request, page: ReviewPage):
    """The proposal's figures across every reviewer, once the phase lets reviewers see them."""
    scoring_round = page.assignment.round
    if not request.user.has_perm("engagement.view_round_scores", scoring_round):
        return None
    return next(
        (s for s in round_scores(scoring_round) if s.proposal_id == page.assignment.proposal_id),
        None,
    )


def _review_form(page: ReviewPage, data=None) -> ReviewForm:
    scoring_round = page.assignment.round
    return ReviewForm(
        data,
        criteria=page.criteria,
        scale=list(scoring_round.scale),
        rationale_required=scoring_round.rationale_required,
        initial=ReviewForm.initial_for(page.scores),
    )


def _render_review(request, page: ReviewPage, mode: str, form: ReviewForm | None = None):
    context = {
        "page": page,
        "assignment": page.assignment,
        "scoring_round": page.assignment.round,
        "proposal": page.proposal,
        "mode": mode,
        "form": form,
        "time_zone": request.user.time_zone,
    }
    if mode == "submitted":
        context["submitted"] = _submitted_rows(page)
    if mode in {"submitted", "finished"}:
        context["figures"] = _proposal_figures(request, page)
        if mode == "finished":
            context["draft"] = [
                {"name": c.name, "value": _given(page, c.id)[0], "rationale": _given(page, c.id)[1]}
                for c in page.criteria
            ]
    return render(request, "engagement/review/detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request, assignment_id: int):
    page = _page(request, assignment_id)
    mode = _mode(page)
    if request.method == "GET":
        form = _review_form(page) if mode == "scoring" else None
        return _render_review(request, page, mode, form)
    if mode != "scoring" or not request.user.has_perm("engagement.score_review", page.assignment):
        messages.error(request, _("This review cannot be changed now."))
        return redirect("review_detail", assignment_id)
    form = _review_form(page, request.POST)
    action = request.POST.get("action")
    if action not in {"draft", "submit"}:
        form.add_error(None, _("Choose “Save draft” or “Submit scores”."))
    if not form.is_valid():
        return _render_review(request, page, mode, form)
    try:
        if action == "draft":
            review_save_draft(assignment=page.assignment, by=request.user, scores=form.scores())
        else:
            review_submit(assignment=page.assignment, by=request.user, scores=form.scores())
    except ValidationError as error:
        errors_to_form(form, error)
        return _render_review(request, page, mode, form)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("review_detail", assignment_id)
    if action == "draft":
        messages.success(request, _("Draft saved. It does not count until you submit your scores."))
        return redirect("review_detail", assignment_id)
    messages.success(
        request,
        _("Thank you. Your scores for %(reference)s are submitted.")
        % {"reference": page.proposal["reference"]},
    )
    return redirect("review_queue")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_abstain_view(request, assignment_id: int):
    page = _page(request, assignment_id)
    if _mode(page) != "scoring":
        messages.error(request, _("This review cannot be changed now."))
        return redirect("review_detail", assignment_id)
    form = AbstainForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review_abstain(
                assignment=page.assignment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            errors_to_form(form, error)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("review_detail", assignment_id)
        else:
            messages.success(
                request,
                _("Thank you for telling us. Someone else will score %(reference)s.")
                % {"reference": page.proposal["reference"]},
            )
            return redirect("review_queue")
    return render(
        request,
        "engagement/review/abstain.html",
        {"form": form, "assignment": page.assignment, "proposal": page.proposal},
    )


def _proposal_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _conflict_prefix(proposal_id: int) -> str:
    return f"conflict-{proposal_id}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_conflicts(request, round_id: int):
    scoring_round = reviewer_round_for(request.user, round_id)
    if scoring_round is None:
        raise Http404
    may_declare = scoring_round.phase in CONFLICT_PHASES
    bound = None  # the form sent back with errors, and its proposal
    if request.method == "POST":
        if not may_declare:
            messages.error(request, _("Conflicts cannot be changed in this round now."))
            return redirect("review_conflicts", round_id)
        proposal_id = _proposal_id(request.POST.get("proposal"))
        action = request.POST.get("action")
        if action == "remove":
            return _conflict_remove(request, scoring_round, proposal_id)
        proposal = round_proposal(scoring_round, proposal_id) if proposal_id else None
        if action != "declare" or proposal is None:
            messages.error(request, _("That proposal is not in this round. Choose one below."))
            return redirect("review_conflicts", round_id)
        form = ConflictForm(
            request.POST, prefix=_conflict_prefix(proposal.pk), reference=proposal.reference
        )
        if form.is_valid():
            try:
                conflict_declare(
                    proposal=proposal,
                    reviewer=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except TransitionNotAllowed as refusal:
                messages.error(request, str(refusal))
                return redirect("review_conflicts", round_id)
            else:
                messages.success(
                    request,
                    _(
                        "Conflict declared for %(reference)s. You will not see this proposal "
                        "again, and someone else will score it."
                    )
                    % {"reference": proposal.reference},
                )
                return redirect("review_conflicts", round_id)
        bound = (proposal.pk, form)
    return _render_conflicts(request, scoring_round, may_declare, bound)


def _conflict_remove(request, scoring_round: ScoringRound, proposal_id: int | None):
    conflict = conflict_of(request.user, proposal_id, scoring_round) if proposal_id else None
    if conflict is None:
        messages.error(request, _("You have not declared a conflict with that proposal."))
        return redirect("review_conflicts", scoring_round.pk)
    try:
        conflict_remove(conflict=conflict, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Conflict with %(reference)s removed.") % {"reference": conflict.proposal.reference},
        )
    return redirect("review_conflicts", scoring_round.pk)


def _render_conflicts(request, scoring_round: ScoringRound, may_declare: bool, bound):
    rows = proposals_for_conflicts(request.user, scoring_round)
    suggested = {s["id"] for s in conflict_suggestions_for(request.user, scoring_round)}
    open_rows = [r for r in rows if not r["conflict"]]
    # Suggestions first (the selector orders neither list for us), each list by reference.
    open_rows.sort(key=lambda r: (r["id"] not in suggested, r["reference"]))
    bound_id, bound_form = bound or (None, None)
    for row in open_rows:
        row["suggested"] = row["id"] in suggested
        row["form"] = (
            bound_form
            if row["id"] == bound_id
            else ConflictForm(prefix=_conflict_prefix(row["id"]), reference=row["reference"])
        )
    return render(
        request,
        "engagement/review/conflicts.html",
        {
            "scoring_round": scoring_round,
            "may_declare": may_declare,
            "open_rows": open_rows,
            "declared": sorted((r for r in rows if r["conflict"]), key=lambda r: r["reference"]),
            "form": bound_form,
            "bound_id": bound_id,
            "time_zone": request.user.time_zone,
        },
    )
