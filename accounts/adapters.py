from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.demo import is_demo_email
from accounts.roles import is_staff_member
from core import crypto
from core.services.outbox import email_queue


class AccountAdapter(DefaultAccountAdapter):
    # The library's messages that a person can meet, in Tandem's words (and translatable with
    # Tandem's other strings: allauth has no Welsh).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": gettext_lazy("This account is not active"),
        "cannot_remove_primary_email": gettext_lazy(
            "You cannot remove your main email address. Make another address your main one first"
        ),
        "duplicate_email": gettext_lazy("This email address is already on your account"),
        "email_password_mismatch": gettext_lazy(
            "The email address or password is not right. Check them and try again"
        ),
        "enter_current_password": gettext_lazy(
            "Your current password is not right. Check it and try again"
        ),
        "incorrect_code": gettext_lazy(
            "The code is not right. Check the code in the email and try again"
        ),
        "incorrect_password": gettext_lazy("Your password is not right. Check it and try again"),
        "invalid_password_reset": gettext_lazy(
            "This link to reset your password has expired or has already been used"
        ),
        "max_email_addresses": gettext_lazy("You can have up to %d email addresses"),
        "too_many_login_attempts": gettext_lazy(
            "You have tried to sign in too many times. Wait a few minutes and try again"
        ),
        "unverified_primary_email": gettext_lazy(
            "Confirm this email address before you make it your main one"
        ),
        "rate_limited": gettext_lazy(
            "You have tried that too many times. Wait a few minutes and try again"
        ),
    }
    reauthentication_descriptions = {
        "reauthenticate": gettext_lazy("Use your password"),
        "reauthenticate_by_code": gettext_lazy("Get a code by email"),
        "mfa_reauthenticate": gettext_lazy("Use your authenticator app or a recovery code"),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's emails in the outbox, in the recipient's language, so an email
        server outage delays them rather than failing the request."""
        recipient = (
            context.get("user") or get_user_model().objects.filter(email__iexact=email).first()
        )
        language = getattr(recipient, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            request = self.request
            ctx = {"request": request, "email": email, **context}
            message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        email_queue(
            to_address=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            template=template_prefix,
            recipient=recipient if recipient and recipient.pk else None,
        )

    def should_send_confirmation_mail(self, request, email_address, signup: bool) -> bool:
        """Signing in to an unconfirmed account sends the confirmation email again, but at
        most once every few minutes: say so, or "send it again" would seem to do nothing."""
        recently_sent = not ratelimit.consume(
            request, action="confirm_email", key=email_address.email.lower(), dry_run=True
        )
        if recently_sent:
            messages.info(
                request,
                _(
                    "We sent you an email a few minutes ago. Check your spam or junk folder. "
                    "If it is not there, wait a few minutes and ask again."
                ),
            )
        return super().should_send_confirmation_mail(request, email_address, signup)

    def get_reauthentication_methods(self, user) -> list[dict]:
        return [
            {
                **method,
                "description": self.reauthentication_descriptions.get(
                    method["id"], method["description"]
                ),
            }
            for method in super().get_reauthentication_methods(user)
        ]

    def get_password_change_redirect_url(self, request) -> str:
        # The task is done: back to the dashboard, with the message that says so.
        return reverse("me")

    def get_login_redirect_url(self, request) -> str:
        if is_staff_member(request.user):
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def pre_login(self, request, user, **kwargs):
        if settings.PRODUCTION and is_demo_email(user.email):
            messages.error(request, _("Demo accounts cannot sign in to this site."))
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": gettext_lazy(
            "You cannot add an email address while two-factor authentication is on"
        ),
        "cannot_delete_authenticator": gettext_lazy(
            "Your role needs two-factor authentication, so you cannot turn it off"
        ),
        "cannot_generate_recovery_codes": gettext_lazy(
            "Set up an authenticator app before you get recovery codes"
        ),
        "incorrect_code": gettext_lazy(
            "The code is not right. Enter the newest code from your authenticator app, "
            "or one of your recovery codes"
        ),
        "unverified_email": gettext_lazy(
            "Confirm your email addresses, or remove any you have not confirmed, before you "
            "set up two-factor authentication"
        ),
    }

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Staff must keep an authenticator app: removing it would only lock them out of the admin.
        if authenticator.type == Authenticator.Type.TOTP and is_staff_member(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
