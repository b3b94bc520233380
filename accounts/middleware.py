from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import is_staff_member

# Signing out must work for everyone, including staff who have not set up MFA yet.
SIGN_OUT_PATH = "/admin/logout/"


class StaffAccessMiddleware:
    """Guards every staff page (the Wagtail admin and anything else under
    STAFF_PATH_PREFIXES): signed-in people without a staff role get 403, and Coordinators or
    Finance without an authenticator app are sent to set one up first. Anonymous visitors
    pass through to the page's own login redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(settings.STAFF_PATH_PREFIXES)
            and request.path != SIGN_OUT_PATH
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
        return self.get_response(request)
