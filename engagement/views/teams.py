"""Research teams: create one, see who is in it, invite a colleague, and answer an
invitation link. Who may see a team is the `engagement.view_research_team` rule: anyone else
gets "page not found", as for every record that is not theirs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, has_role
from core.transitions import TransitionNotAllowed
from engagement.forms import TeamForm, TeamInviteForm
from engagement.models import ResearchTeam, TeamInvitation
from engagement.selectors.teams import team_detail, team_invitation_by_token
from engagement.services.teams import (
    team_create,
    team_invitation_accept,
    team_invitation_revoke,
    team_invitation_send,
)


def _team_for(request, pk: int) -> ResearchTeam:
    team = get_object_or_404(ResearchTeam, pk=pk)
    if not request.user.has_perm("engagement.view_research_team", team):
        raise Http404
    return team


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def team_new(request):
    if not has_role(request.user, Role.RESEARCHER):
        raise PermissionDenied
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(by=request.user, **form.cleaned_data)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your team is ready. You can invite colleagues to it."))
            return redirect("team_detail", team.pk)
    return render(request, "engagement/teams/new.html", {"form": form})


@never_cache
@login_required
def team_detail_view(request, pk: int):
    team = _team_for(request, pk)
    return render(request, "engagement/teams/detail.html", team_detail(team))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def team_invite(request, pk: int):
    team = _team_for(request, pk)
    form = TeamInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team_invitation_send(team=team, email=form.cleaned_data["email"], by=request.user)
        except TransitionNotAllowed as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(request, _("Invitation sent. The link works for 7 days."))
            return redirect("team_detail", team.pk)
    return render(request, "engagement/teams/invite.html", {"form": form, "team": team})


@login_required
@require_POST
def team_invitation_withdraw(request, pk: int, invitation_id: int):
    team = _team_for(request, pk)
    invitation = get_object_or_404(TeamInvitation, pk=invitation_id, team=team)
    try:
        team_invitation_revoke(invitation=invitation, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Invitation withdrawn. Its link no longer works."))
    return redirect("team_detail", team.pk)


def _problem(request, reason: str, status: int, invitation=None):
    return render(
        request,
        "engagement/teams/invitation_problem.html",
        {"reason": reason, "invitation": invitation},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def team_invitation(request, token: str):
    """The page an invitation email links to. Every kind of bad link gets its own plain
    explanation; only the person who verified the invited address can accept."""
    invitation = team_invitation_by_token(token)
    if invitation is None:
        return _problem(request, "unknown", 404)
    if invitation.status == TeamInvitation.Status.ACCEPTED:
        return _problem(request, "used", 410, invitation)
    if invitation.status == TeamInvitation.Status.REVOKED:
        return _problem(request, "withdrawn", 410, invitation)
    expired = invitation.expires_at <= timezone.now()
    if invitation.status == TeamInvitation.Status.EXPIRED or expired:
        return _problem(request, "expired", 410, invitation)
    context = {"invitation": invitation, "team": invitation.team, "next": request.path}
    if not request.user.is_authenticated:
        return render(request, "engagement/teams/invitation.html", context)
    if not request.user.has_perm("engagement.accept_team_invitation", invitation):
        return _problem(request, "someone_else", 403, invitation)
    if request.method == "POST":
        try:
            team_invitation_accept(invitation=invitation, by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(request.path)
        messages.success(request, _("Welcome to the team."))
        return redirect("team_detail", invitation.team_id)
    return render(request, "engagement/teams/invitation.html", context)
