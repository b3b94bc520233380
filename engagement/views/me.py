"""/me/: the signed-in person's own dashboard, profile, consents and data."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, has_role, is_staff_member
from core.transitions import TransitionNotAllowed
from engagement.forms import AccountDeleteForm, PauseForm, ReplyForm
from engagement.models import ExpertProfile
from engagement.selectors.codesign import codesign_rounds_for_expert
from engagement.selectors.experts import (
    expert_dashboard,
    expert_data_overview,
    expert_export_data,
    expert_profile_for,
    sensitive_accesses_for,
)
from engagement.selectors.panels import panels_chaired_by
from engagement.selectors.sessions import expert_sessions_dashboard
from engagement.selectors.teams import researcher_dashboard
from engagement.services.experts import (
    expert_application_submit,
    expert_leave,
    expert_pause,
    expert_resume,
)
from engagement.services.onboarding import onboarding_step_save
from engagement.services.privacy import account_erase
from engagement.steps import STEPS_BY_SLUG
from engagement.views.answers import answers_for

Status = ExpertProfile.Status


def _submitted_profile(request) -> ExpertProfile:
    """The person's expert profile once the application has been sent (drafts use /join/)."""
    profile = expert_profile_for(request.user)
    if profile is None or profile.status == Status.DRAFT:
        raise Http404
    return profile


def _role(user) -> str:
    """Which dashboard speaks to this person: staff and researchers have their own."""
    if is_staff_member(user):
        return "staff"
    if has_role(user, Role.RESEARCHER):
        return "researcher"
    return "person"


def _dashboard(request, reply_form: ReplyForm | None = None):
    context = {
        **expert_dashboard(request.user),
        "statuses": Status,
        "role": _role(request.user),
        "reply_form": reply_form or ReplyForm(),
    }
    context["chaired_panels"] = list(panels_chaired_by(request.user))
    if context["role"] == "researcher":
        context["researcher"] = researcher_dashboard(request.user)
    profile = context["profile"]
    if profile is not None and profile.status != Status.DRAFT:
        context["answers"] = answers_for(
            profile, change_url=lambda slug: reverse("me_profile_edit", args=[slug])
        )
        context.update(expert_sessions_dashboard(request.user))
        if context["my_panels"]:
            context["codesign_rounds"] = codesign_rounds_for_expert(request.user)
    return render(request, "engagement/me/dashboard.html", context)


@never_cache
@login_required
def me_dashboard(request):
    return _dashboard(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def me_profile_edit(request, slug: str):
    step = STEPS_BY_SLUG.get(slug)
    if step is None:
        raise Http404
    profile = _submitted_profile(request)
    form = step.form(profile, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        profile = onboarding_step_save(profile=profile, step=slug, data=form.cleaned_data)
        messages.success(request, _("Your changes have been saved."))
        if slug == "payment" and (profile.expenses_only or profile.benefits_signposting):
            return render(
                request,
                "engagement/join/payment_explained.html",
                {"profile": profile, "next_url": reverse("me")},
            )
        return redirect("me")
    return render(
        request,
        step.template,
        {"form": form, "step": step, "profile": profile, "editing": True},
    )


@login_required
@require_POST
def me_resubmit(request):
    profile = _submitted_profile(request)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _dashboard(request, reply_form=form)
    try:
        expert_application_submit(profile=profile, reply=form.cleaned_data["reply"])
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you. We have sent your updated application."))
    return redirect("me")


@login_required
@require_http_methods(["GET", "POST"])
def me_pause(request):
    profile = _submitted_profile(request)
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expert_pause(profile=profile, until=form.cleaned_data["paused_until"])
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("You are on a break. We will not invite you to anything."))
        return redirect("me")
    return render(request, "engagement/me/pause.html", {"form": form, "profile": profile})


@login_required
@require_POST
def me_resume(request):
    profile = _submitted_profile(request)
    try:
        expert_resume(profile=profile, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Welcome back. You can be invited again."))
    return redirect("me")


@login_required
@require_http_methods(["GET", "POST"])
def me_leave(request):
    profile = _submitted_profile(request)
    if request.method == "POST":
        try:
            expert_leave(profile=profile)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("You have left the adviser network. Thank you."))
        return redirect("me")
    return render(request, "engagement/me/leave.html", {"profile": profile})


@never_cache
@login_required
def me_data(request):
    """Everything Tandem holds about the person, as a page they can read."""
    profile = expert_profile_for(request.user)
    context = {"overview": expert_data_overview(user=request.user, profile=profile)}
    if profile is not None:
        context["answers"] = answers_for(
            profile, change_url=lambda slug: reverse("me_profile_edit", args=[slug])
        )
    return render(request, "engagement/me/data.html", context)


@never_cache
@login_required
def me_data_json(request):
    """The same, as a file for other services."""
    data = {"exported_at": timezone.now().isoformat(), **expert_export_data(user=request.user)}
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-tandem-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def me_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        account_erase(user=user)
        messages.success(request, _("Your account and personal information have been deleted."))
        return redirect("/")
    return render(request, "engagement/me/delete.html", {"form": form})


@never_cache
@login_required
def me_access_log(request):
    profile = _submitted_profile(request)
    return render(
        request,
        "engagement/me/access_log.html",
        {"profile": profile, "accesses": sensitive_accesses_for(profile)[:200]},
    )
