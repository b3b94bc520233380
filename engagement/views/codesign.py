"""/co-design/<round>/: the workspace where a call's lived-experience co-design panel, with the
coordinators, drafts the criteria, their descriptors and the group weights, discusses them,
and its chair approves them. People who may not discuss the criteria get 404, as if the round
did not exist; people who may see it but not do something get 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.transitions import TransitionNotAllowed
from engagement.codesign_forms import CommentForm, CriteriaForm, ReopenForm, form_shape
from engagement.models import FundingCall, ScoringRound
from engagement.selectors.codesign import (
    codesign_page,
    codesign_round,
    criteria_version,
    criteria_with_descriptors,
)
from engagement.services.calls import (
    CRITERIA_MAX,
    CriteriaChanged,
    criteria_approve,
    criteria_comment_add,
    criteria_reopen,
    criteria_save,
)

Criteria = ScoringRound.CriteriaStatus


def _round(request, round_id: int) -> ScoringRound:
    scoring_round = codesign_round(round_id)
    if scoring_round is None or not request.user.has_perm(
        "engagement.discuss_criteria", scoring_round
    ):
        raise Http404
    return scoring_round


def _may(user, scoring_round: ScoringRound) -> dict:
    draft = scoring_round.call.status == FundingCall.Status.DRAFT
    drafting = scoring_round.criteria_status == Criteria.DRAFTING
    machine = ScoringRound.criteria_workflow
    return {
        "edit": draft and drafting,
        "comment": draft and drafting,
        "approve": draft and machine.permits(user, scoring_round, "approve_criteria"),
        "reopen": draft and machine.permits(user, scoring_round, "reopen_criteria"),
        "scale": scoring_round.phase == ScoringRound.Phase.SETUP,
    }


def _workspace(request, scoring_round: ScoringRound, comment_form: CommentForm | None = None):
    may = _may(request.user, scoring_round)
    context = {
        **codesign_page(scoring_round),
        "may": may,
        "comment_form": comment_form or CommentForm(),
        "reopen_form": ReopenForm() if may["reopen"] else None,
    }
    return render(request, "engagement/codesign/workspace.html", context)


@never_cache
@login_required
def criteria_codesign(request, round_id: int):
    return _workspace(request, _round(request, round_id))


@login_required
@require_POST
def criteria_comment(request, round_id: int):
    scoring_round = _round(request, round_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            criteria_comment_add(
                scoring_round=scoring_round, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        except TransitionNotAllowed as refusal:
            form.add_error("text", str(refusal))
        else:
            messages.success(request, _("Thank you. Your comment has been added."))
            return redirect("criteria_codesign", scoring_round.pk)
    return _workspace(request, scoring_round, comment_form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def criteria_codesign_edit(request, round_id: int):
    scoring_round = _round(request, round_id)
    may = _may(request.user, scoring_round)
    if not may["edit"]:
        messages.info(request, _("The criteria cannot be changed now."))
        return redirect("criteria_codesign", scoring_round.pk)
    criteria = criteria_with_descriptors(scoring_round)
    data = request.POST.copy() if request.method == "POST" else None
    slots, points = form_shape(
        data, saved_slots=len(criteria), scale=scoring_round.scale, scale_editable=may["scale"]
    )

    def build(data, slots=slots, points=points):
        shape = {"slots": slots, "shown_min": points[0], "shown_max": points[-1]}
        for key, value in shape.items() if data is not None else ():
            data[key] = value  # replaces: QueryDict.update would add a second value
        initial = CriteriaForm.initial_for(
            scoring_round, criteria, criteria_version(scoring_round, criteria)
        )
        return CriteriaForm(
            data,
            slots=slots,
            points=points,
            scale_editable=may["scale"],
            initial={**initial, **shape},
        )

    form = build(data)
    if data is not None and data.get("action") == "add":
        # Another blank criterion, with everything typed so far kept (nothing is saved yet).
        if slots < CRITERIA_MAX:
            form = build(data, slots=slots + 1)
        else:
            messages.info(request, _("There is room for %(n)s criteria at most.") % {"n": slots})
    elif data is not None and form.is_valid():
        if form.scale_changed():
            low, high = form.scale()
            form = build(data, points=range(low, high + 1))
            messages.info(request, _("Say what each score on the new scale means, then save."))
        else:
            try:
                criteria_save(
                    scoring_round=scoring_round,
                    by=request.user,
                    criteria=form.criteria(),
                    group_weights=form.group_weights(),
                    scale=form.scale(),
                    version=form.cleaned_data["version"],
                )
            except ValidationError as problem:
                form.add_service_errors(problem)
            except CriteriaChanged as refusal:
                # Keep what they typed; the next save replaces the latest version knowingly.
                fresh = criteria_with_descriptors(scoring_round)
                data["version"] = criteria_version(codesign_round(scoring_round.pk), fresh)
                form = build(data)
                form.is_valid()
                form.add_error(None, str(refusal))
            except TransitionNotAllowed as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The criteria are saved. The panel can see them now."))
                return redirect("criteria_codesign", scoring_round.pk)
    return render(
        request,
        "engagement/codesign/edit.html",
        {"form": form, "scoring_round": scoring_round, "call": scoring_round.call, "may": may},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def criteria_approve_view(request, round_id: int):
    scoring_round = _round(request, round_id)
    may = _may(request.user, scoring_round)
    if not may["approve"]:
        raise PermissionDenied
    if request.method == "POST":
        try:
            criteria_approve(scoring_round=scoring_round, by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("The criteria are approved. The call can now open for proposals.")
            )
        return redirect("criteria_codesign", scoring_round.pk)
    return render(
        request,
        "engagement/codesign/approve.html",
        {"scoring_round": scoring_round, "call": scoring_round.call},
    )


@login_required
@require_POST
def criteria_reopen_view(request, round_id: int):
    scoring_round = _round(request, round_id)
    if not _may(request.user, scoring_round)["reopen"]:
        raise PermissionDenied
    form = ReopenForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        criteria_reopen(scoring_round=scoring_round, by=request.user, reason=reason)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The criteria are open for changes again."))
    return redirect("criteria_codesign", scoring_round.pk)
