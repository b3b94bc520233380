"""/calls/<slug>/apply/ and /calls/<slug>/proposals/: a research team submits a proposal to an
open funding call, sees its proposals to the call and withdraws one while the call is open.

The public call pages themselves are Wagtail's (cms.models.FundingCallIndexPage); these pages
are personal, so never cached. A draft call is "page not found" to everyone; someone in no
research team is told that only research teams submit; another team's proposal is "page not
found"."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.transitions import TransitionNotAllowed
from engagement.call_forms import ProposalForm
from engagement.models import FundingCall, Proposal
from engagement.selectors.calls import (
    OPEN,
    call_for_applicants,
    call_state,
    proposal_of_teams,
    proposals_of_teams,
    teams_of,
)
from engagement.services.calls import proposal_submit, proposal_withdraw


def _call(slug: str) -> FundingCall:
    call = call_for_applicants(slug)
    if call is None:
        raise Http404
    return call


def _not_in_a_team(request, call: FundingCall):
    return render(request, "engagement/calls/not_in_a_team.html", {"call": call}, status=403)


def _submit_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _add_service_errors(form: ProposalForm, refusal: ValidationError) -> None:
    """The service's reasons, beside the answer each is about."""
    if hasattr(refusal, "error_dict"):
        for field, errors in refusal.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refusal.messages)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def call_apply(request, slug: str):
    call = _call(slug)
    teams = teams_of(request.user)
    if not teams:
        return _not_in_a_team(request, call)
    if call_state(call) != OPEN:
        return render(request, "engagement/calls/not_open.html", {"call": call})
    form = ProposalForm(request.POST or None, request.FILES or None, teams=teams, call=call)
    submit_key = _submit_key(request.POST.get("submit_key")) or uuid.uuid4()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = proposal_submit(
                call=call,
                team=data.get("team") or teams[0],
                by=request.user,
                data=data,
                attachment=data["attachment"],
                submit_key=submit_key,
                topics=list(data["topics"]),
            )
        except ValidationError as refusal:
            _add_service_errors(form, refusal)
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Thank you. We have your proposal. Its reference is %(reference)s.")
                % {"reference": proposal.reference},
            )
            return redirect("call_proposal", call.slug, proposal.pk)
    return render(
        request,
        "engagement/calls/apply.html",
        {"call": call, "form": form, "submit_key": submit_key},
    )


@never_cache
@login_required
def call_proposals(request, slug: str):
    call = _call(slug)
    teams = teams_of(request.user)
    if not teams:
        return _not_in_a_team(request, call)
    return render(
        request,
        "engagement/calls/proposals.html",
        {
            "call": call,
            "call_open": call_state(call) == OPEN,
            "proposals": proposals_of_teams(call=call, teams=teams),
            "statuses": Proposal.Status,
        },
    )


def _proposal(request, call: FundingCall, pk: int) -> Proposal:
    proposal = proposal_of_teams(call=call, teams=teams_of(request.user), pk=pk)
    if proposal is None:
        raise Http404
    return proposal


def _may_withdraw(call: FundingCall, proposal: Proposal) -> bool:
    return call_state(call) == OPEN and proposal.status == Proposal.Status.SUBMITTED


@never_cache
@login_required
def call_proposal(request, slug: str, pk: int):
    """The proposal as the team sent it, with its reference: where a submission lands."""
    call = _call(slug)
    proposal = _proposal(request, call, pk)
    return render(
        request,
        "engagement/calls/proposal.html",
        {
            "call": call,
            "proposal": proposal,
            "may_withdraw": _may_withdraw(call, proposal),
            "statuses": Proposal.Status,
            "time_zone": request.user.time_zone,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def call_proposal_withdraw(request, slug: str, pk: int):
    call = _call(slug)
    proposal = _proposal(request, call, pk)
    if not _may_withdraw(call, proposal):
        if request.method == "POST":
            messages.error(request, _("This proposal can no longer be withdrawn."))
        return redirect("call_proposal", call.slug, proposal.pk)
    if request.method == "POST":
        try:
            proposal_withdraw(proposal=proposal, by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("You have withdrawn proposal %(reference)s. It will not be reviewed.")
                % {"reference": proposal.reference},
            )
        return redirect("call_proposals", call.slug)
    return render(request, "engagement/calls/withdraw.html", {"call": call, "proposal": proposal})
