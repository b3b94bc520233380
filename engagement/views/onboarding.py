"""/join/: becoming an adviser, one question per page, resumable at any point."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.transitions import TransitionNotAllowed
from engagement.models import ExpertProfile
from engagement.selectors.experts import expert_profile_for
from engagement.services.experts import expert_application_submit
from engagement.services.onboarding import expert_profile_start, onboarding_step_save
from engagement.steps import STEPS, STEPS_BY_SLUG, first_unfinished_step, may_open_step
from engagement.views.answers import answers_for

FROM_CHECK = "?from=check"


def _continue_url(profile: ExpertProfile) -> str:
    slug = first_unfinished_step(profile.completed_steps)
    return reverse("join_step", args=[slug]) if slug else reverse("join_check")


def _step_list(profile: ExpertProfile | None, current: str | None) -> list[dict]:
    completed = profile.completed_steps if profile else []
    return [
        {
            "slug": step.slug,
            "title": step.title,
            "done": step.slug in completed,
            "current": step.slug == current,
            "reachable": may_open_step(step.slug, completed),
            "url": reverse("join_step", args=[step.slug]),
        }
        for step in STEPS
    ]


def _draft_or_redirect(request):
    """The signed-in person's draft application, or where they should be instead."""
    profile = expert_profile_for(request.user)
    if profile is None:
        return None, redirect("join")
    if profile.status != ExpertProfile.Status.DRAFT:
        return None, redirect("me")
    return profile, None


@require_http_methods(["GET", "POST"])
def join_start(request):
    if not request.user.is_authenticated:
        return render(request, "engagement/join/start.html", {"steps": _step_list(None, None)})
    profile = expert_profile_for(request.user)
    if profile is not None and profile.status != ExpertProfile.Status.DRAFT:
        return redirect("me")
    if profile is not None and profile.completed_steps:
        return redirect(_continue_url(profile))
    if request.method == "POST":
        profile = expert_profile_start(user=request.user)
        return redirect(_continue_url(profile))
    return render(request, "engagement/join/start.html", {"steps": _step_list(profile, None)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def join_step(request, slug: str):
    step = STEPS_BY_SLUG.get(slug)
    if step is None:
        raise Http404
    profile, elsewhere = _draft_or_redirect(request)
    if elsewhere:
        return elsewhere
    if not may_open_step(slug, profile.completed_steps):
        messages.info(request, _("Please finish this part first."))
        return redirect(_continue_url(profile))
    returning_to_check = request.GET.get("from") == "check"
    form = step.form(profile, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        profile = onboarding_step_save(profile=profile, step=slug, data=form.cleaned_data)
        if slug == "payment" and (profile.expenses_only or profile.benefits_signposting):
            suffix = FROM_CHECK if returning_to_check else ""
            return redirect(reverse("join_payment_explained") + suffix)
        return redirect(reverse("join_check") if returning_to_check else _continue_url(profile))
    return render(
        request,
        step.template,
        {
            "form": form,
            "step": step,
            "steps": _step_list(profile, slug),
            "step_number": [s.slug for s in STEPS].index(slug) + 1,
            "step_count": len(STEPS),
            "profile": profile,
        },
    )


@never_cache
@login_required
def join_payment_explained(request):
    profile, elsewhere = _draft_or_redirect(request)
    if elsewhere:
        return elsewhere
    if "payment" not in profile.completed_steps:
        return redirect(_continue_url(profile))
    next_url = (
        reverse("join_check") if request.GET.get("from") == "check" else _continue_url(profile)
    )
    return render(
        request,
        "engagement/join/payment_explained.html",
        {"profile": profile, "next_url": next_url, "steps": _step_list(profile, "payment")},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def join_check(request):
    profile, elsewhere = _draft_or_redirect(request)
    if elsewhere:
        return elsewhere
    if first_unfinished_step(profile.completed_steps):
        return redirect(_continue_url(profile))
    if request.method == "POST":
        try:
            expert_application_submit(profile=profile)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(_continue_url(profile))
        return redirect("join_submitted")
    return render(
        request,
        "engagement/join/check.html",
        {
            "profile": profile,
            "answers": answers_for(
                profile, change_url=lambda slug: reverse("join_step", args=[slug]) + FROM_CHECK
            ),
        },
    )


@never_cache
@login_required
def join_submitted(request):
    profile = expert_profile_for(request.user)
    if profile is None or profile.status != ExpertProfile.Status.APPLIED:
        return redirect("join")
    return render(request, "engagement/join/submitted.html", {"profile": profile})
