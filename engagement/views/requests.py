"""/requests/: a research team asks for advice. A draft can be changed until it is sent, and
again when a coordinator asks for changes. Only the team's members see a request
(`engagement.view_advisory_request`); anyone else gets "page not found"."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, has_role
from core.transitions import TransitionNotAllowed
from engagement.forms import AdvisoryRequestForm
from engagement.models import AdvisoryRequest
from engagement.selectors.teams import advisory_request_detail, teams_for
from engagement.services.requests import (
    FIELDS,
    RELATIONS,
    advisory_request_create,
    advisory_request_submit,
    advisory_request_update,
    advisory_request_withdraw,
)


def _request_for(request, pk: int) -> AdvisoryRequest:
    advisory_request = get_object_or_404(AdvisoryRequest.objects.select_related("team"), pk=pk)
    if not request.user.has_perm("engagement.view_advisory_request", advisory_request):
        raise Http404
    return advisory_request


def _draft_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    if not has_role(request.user, Role.RESEARCHER):
        raise PermissionDenied
    teams = list(teams_for(request.user))
    if not teams:
        messages.info(request, _("First, create your research team. Then you can ask for advice."))
        return redirect("team_new")
    form = AdvisoryRequestForm(request.POST or None, teams=teams)
    draft_key = _draft_key(request.POST.get("draft_key")) or uuid.uuid4()
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data.get("team") or teams[0]
        try:
            advisory_request = advisory_request_create(
                team=team, data=form.cleaned_data, by=request.user, draft_key=draft_key
            )
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("Your request is saved as a draft. Check it, then send it to us.")
            )
            return redirect("request_detail", advisory_request.pk)
    return render(
        request,
        "engagement/requests/form.html",
        {"form": form, "draft_key": draft_key, "editing": False},
    )


@never_cache
@login_required
def request_detail(request, pk: int):
    advisory_request = _request_for(request, pk)
    context = advisory_request_detail(advisory_request)
    context["may"] = AdvisoryRequest.workflow.permitted(request.user, advisory_request)
    context["may_edit"] = request.user.has_perm(
        "engagement.change_advisory_request", advisory_request
    )
    context["statuses"] = AdvisoryRequest.Status
    return render(request, "engagement/requests/detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    advisory_request = _request_for(request, pk)
    if not request.user.has_perm("engagement.change_advisory_request", advisory_request):
        messages.error(request, _("This request can no longer be changed."))
        return redirect("request_detail", advisory_request.pk)
    initial = {name: getattr(advisory_request, name) for name in FIELDS}
    initial.update({name: getattr(advisory_request, name).all() for name in RELATIONS})
    form = AdvisoryRequestForm(request.POST or None, initial=initial, teams=[advisory_request.team])
    if request.method == "POST" and form.is_valid():
        try:
            advisory_request_update(
                advisory_request=advisory_request, data=form.cleaned_data, by=request.user
            )
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your changes have been saved."))
        return redirect("request_detail", advisory_request.pk)
    return render(
        request,
        "engagement/requests/form.html",
        {"form": form, "advisory_request": advisory_request, "editing": True},
    )


@login_required
@require_POST
def request_submit(request, pk: int):
    advisory_request = _request_for(request, pk)
    if advisory_request.status == AdvisoryRequest.Status.SUBMITTED:
        # Sent already (a double click, or a second tab): nothing more to do.
        return redirect("request_detail", advisory_request.pk)
    try:
        advisory_request_submit(advisory_request=advisory_request, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("Thank you. A coordinator will look at your request within 10 working days.")
        )
    return redirect("request_detail", advisory_request.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request, pk: int):
    advisory_request = _request_for(request, pk)
    if request.method == "POST":
        try:
            advisory_request_withdraw(advisory_request=advisory_request, by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your request has been withdrawn."))
        return redirect("request_detail", advisory_request.pk)
    if "withdraw" not in AdvisoryRequest.workflow.permitted(request.user, advisory_request):
        return redirect("request_detail", advisory_request.pk)
    return render(
        request, "engagement/requests/withdraw.html", {"advisory_request": advisory_request}
    )
