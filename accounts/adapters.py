from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.demo import is_demo_email
from accounts.roles import is_staff_member
from core import crypto
from core.services.outbox import email_queue


class AccountAdapter(DefaultAccountAdapter):
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
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Staff must keep an authenticator app: removing it would only lock them out of the admin.
        if authenticator.type == Authenticator.Type.TOTP and is_staff_member(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
