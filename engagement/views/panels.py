"""Pages for a panel's experts. The chair may suggest experts for the panel
(`engagement.suggest_panel_expert`); to anyone else the page does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.transitions import TransitionNotAllowed
from engagement.forms import PanelSuggestionForm
from engagement.models import Panel
from engagement.services.panels import panel_suggestion_create


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def panel_suggest(request, pk: int):
    panel = get_object_or_404(Panel, pk=pk)
    if not request.user.has_perm("engagement.suggest_panel_expert", panel):
        raise Http404
    form = PanelSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            panel_suggestion_create(panel=panel, text=form.cleaned_data["text"], by=request.user)
        except TransitionNotAllowed as refusal:
            form.add_error("text", str(refusal))
        else:
            messages.success(request, _("Thank you. A coordinator will look at your suggestion."))
            return redirect("me")
    return render(request, "engagement/panels/suggest.html", {"form": form, "panel": panel})
