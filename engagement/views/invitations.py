"""/invitations/<token>/: the invited expert sees what is offered and says yes or no. The
same page opens from their dashboard. Every wrong link gets a page that says what happened."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.transitions import TransitionNotAllowed
from engagement.forms import InvitationDeclineForm
from engagement.models import Invitation
from engagement.selectors.invitations import (
    invitation_by_token,
    invitation_for_expert,
    invitation_is_open,
    invitation_offer,
)
from engagement.services.invitations import invitation_accept, invitation_decline

# secrets.token_urlsafe(32): 43 URL-safe base64 characters.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
Status = Invitation.Status


def _problem(request, problem: str, status: int):
    return render(
        request, "engagement/invitations/problem.html", {"problem": problem}, status=status
    )


def _respond(request, invitation: Invitation):
    if invitation.expert.user_id != request.user.pk:
        return _problem(request, "someone_else", 403)
    if invitation.status in {Status.ACCEPTED, Status.DECLINED}:
        return _problem(request, invitation.status, 410)
    if invitation.status == Status.WITHDRAWN:
        return _problem(request, "withdrawn", 410)
    if not invitation_is_open(invitation):
        return _problem(request, "expired", 410)
    decline_form = InvitationDeclineForm(
        request.POST if request.POST.get("action") == "decline" else None
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "accept":
                invitation_accept(invitation=invitation, by=request.user)
                messages.success(request, _("Thank you. You are now on the panel."))
                return redirect("me")
            if request.POST.get("action") == "decline" and decline_form.is_valid():
                invitation_decline(
                    invitation=invitation,
                    by=request.user,
                    reason=decline_form.cleaned_data["reason"],
                )
                messages.success(request, _("Thank you for letting us know."))
                return redirect("me")
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(request.path)
    status = 400 if decline_form.is_bound and not decline_form.is_valid() else 200
    return render(
        request,
        "engagement/invitations/respond.html",
        {**invitation_offer(invitation), "decline_form": decline_form},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_respond(request, token: str):
    if not TOKEN_PATTERN.fullmatch(token):
        return _problem(request, "malformed", 404)
    invitation = invitation_by_token(token)
    if invitation is None:
        return _problem(request, "unknown", 404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _respond(request, invitation)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def me_invitation(request, pk: int):
    invitation = invitation_for_expert(pk=pk, user=request.user)
    if invitation is None:
        raise Http404
    return _respond(request, invitation)
