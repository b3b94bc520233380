from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import is_staff_member


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in included a one-time code. Having an authenticator app
    is not enough: a session opened any other way (a library's own login form, say) has no
    such record, so it cannot reach staff pages."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class StaffAccessMiddleware:
    """Guards every staff page (the Wagtail admin and anything else under
    STAFF_PATH_PREFIXES): signed-in people without a staff role get 403; Coordinators or
    Finance without an authenticator app are sent to set one up first, and those whose
    session did not pass a one-time code are asked for one. Anonymous visitors pass through
    to the page's own login redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(settings.STAFF_PATH_PREFIXES)
            # Signing out must work for everyone, including staff without an app yet.
            and request.path != reverse("admin_logout")
            and request.user.is_authenticated
        ):
            if not is_staff_member(request.user):
                raise PermissionDenied
            if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
                messages.info(
                    request,
                    _("Your role needs two-factor authentication. Set up an app to continue."),
                )
                return redirect("mfa_activate_totp")
            if not session_passed_mfa(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
