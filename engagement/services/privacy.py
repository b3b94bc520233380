"""Special-category data: logged reveals, the person's own export, and erasure."""

import json

from allauth.account.utils import user_pk_to_url_str
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from wagtail.models import ModelLogEntry

from accounts.models import User
from engagement.models import ExpertProfile, SensitiveAccess

SENSITIVE_FIELDS = {
    SensitiveAccess.Field.LEGAL_NAME: "engagement.view_expert_legal_name",
    SensitiveAccess.Field.ACCESS_NEEDS: "engagement.view_expert_access_needs",
    SensitiveAccess.Field.ELIGIBILITY: "engagement.view_expert_eligibility",
    SensitiveAccess.Field.EXPERTISE_NOTES: "engagement.view_expert_expertise_notes",
}


def sensitive_field_reveal(*, viewer: User, profile: ExpertProfile, field: str):
    """Return one sensitive field's value if the viewer may see it, logging every view by
    someone other than the expert. Raises PermissionDenied otherwise."""
    if not viewer.has_perm(SENSITIVE_FIELDS[field], profile):
        raise PermissionDenied
    if viewer.pk != profile.user_id:
        SensitiveAccess.objects.create(accessor=viewer, expert=profile, field=field)
    if field == SensitiveAccess.Field.ELIGIBILITY:
        return {
            "right_to_work": profile.get_right_to_work_display(),
            "means_tested_benefits": profile.get_means_tested_benefits_display(),
        }
    return getattr(profile, field)


def legal_names_for_payment(*, viewer: User, user_ids) -> dict[int, str]:
    """Legal names for Finance's payment export (payments.payees asks through the provider
    registered in engagement/apps.py): only for someone who may see them, each one handed out
    logged for its expert."""
    profiles = [
        profile
        for profile in ExpertProfile.objects.filter(user_id__in=list(user_ids))
        if viewer.has_perm(SENSITIVE_FIELDS[SensitiveAccess.Field.LEGAL_NAME], profile)
    ]
    SensitiveAccess.objects.bulk_create(
        SensitiveAccess(accessor=viewer, expert=profile, field=SensitiveAccess.Field.LEGAL_NAME)
        for profile in profiles
        if profile.user_id != viewer.pk
    )
    return {profile.user_id: profile.legal_name for profile in profiles}


def _names(data: dict, user: User) -> bool:
    signed_in = str(data.get("_auth_user_id")) == str(user.pk)
    # allauth keeps a sign-in waiting for a code or an email confirmation under this key,
    # with the user's id in its own (base 36) encoding.
    pending = (data.get("account_login") or {}).get("user_pk") == user_pk_to_url_str(user)
    return signed_in or pending or user.email.lower() in json.dumps(data).lower()


def _sessions_end(user: User) -> int:
    """Delete every stored session that belongs to the person, is signing them in, or
    mentions their address. Sessions are signed blobs, so each is decoded and read."""
    doomed = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=500)
        if _names(session.get_decoded(), user)
    ]
    return Session.objects.filter(session_key__in=doomed).delete()[0]


def account_erase(*, user: User) -> None:
    """Erase a person: their account, profile, consents, history, emails and sessions go;
    payment records required by law stay, keyed only by the pseudonymous reference; admin
    history that named them is removed."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _sessions_end(user)
        profile = ExpertProfile.objects.filter(user=user).first()
        named_objects = [(ContentType.objects.get_for_model(User), user.pk)]
        if profile is not None:
            named_objects.append((ContentType.objects.get_for_model(ExpertProfile), profile.pk))
        for content_type, object_id in named_objects:
            ModelLogEntry.objects.filter(
                content_type=content_type, object_id=str(object_id)
            ).delete()
        # Deleting the user cascades to their profile, consents, status history (audit events
        # about the profile), panel memberships, emails in the outbox, email addresses and
        # authenticators; payment records keep their reference and lose the link (SET_NULL).
        user.delete()
