"""Demo accounts for `manage.py seed_demo`: one per role, all with the demo password."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from accounts.models import User
from accounts.roles import Role

DEMO_ACCOUNTS = (
    ("expert@example.org", "Sam", Role.EXPERT),
    ("researcher@example.org", "Priya (research team)", Role.RESEARCHER),
    ("coordinator@example.org", "Alex (coordinator)", Role.COORDINATOR),
    ("finance@example.org", "Jo (finance)", Role.FINANCE),
)
MFA_ROLES = {Role.COORDINATOR, Role.FINANCE}


def demo_user_ensure(*, email: str, display_name: str, role: Role | None = None) -> User:
    """Create or repair one demo account: verified email, demo password, role group."""
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": display_name})
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


def demo_accounts_seed() -> dict[Role, User]:
    users = {}
    for email, display_name, role in DEMO_ACCOUNTS:
        user = demo_user_ensure(email=email, display_name=display_name, role=role)
        if (
            role in MFA_ROLES
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)
        users[role] = user
    return users
