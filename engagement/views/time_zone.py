"""/me/time-zone/: the time zone every session time is shown in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.services.time_zones import user_time_zone_set
from engagement.panel_forms import TimeZoneForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def me_time_zone(request):
    form = TimeZoneForm(request.POST or None, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        user_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Saved. Times are now shown in your time zone."))
        return redirect("me")
    return render(request, "engagement/me/time_zone.html", {"form": form})
