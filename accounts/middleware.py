from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import requires_mfa


class StaffMFAMiddleware:
    """Until a Coordinator or Finance user has an authenticator app, every staff page sends
    them to set one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(settings.STAFF_PATH_PREFIXES)
            and requires_mfa(request.user)
            and not is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
        ):
            messages.info(
                request,
                _("Your role needs two-factor authentication. Set up an app to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
