import factory
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

TEST_PASSWORD = "correct horse battery staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@tandem.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary email address, as allauth requires before sign-in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        self.save()

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, TEST_TOTP_SECRET)
            RecoveryCodes.activate(self)


def coordinator(**kwargs) -> User:
    return UserFactory(role=Role.COORDINATOR, mfa=True, **kwargs)


def finance(**kwargs) -> User:
    return UserFactory(role=Role.FINANCE, mfa=True, **kwargs)


def researcher(**kwargs) -> User:
    return UserFactory(role=Role.RESEARCHER, **kwargs)


def expert(
    *,
    status: str = "active",
    user=None,
    topics=(),
    languages=(),
    consents: dict[str, bool] | None = None,
    **fields,
):
    """An expert who has finished onboarding, with a full profile and consents."""
    from engagement.models import ExpertProfile
    from engagement.selectors.consents import consent_statements_current
    from engagement.services.consents import consents_record
    from engagement.steps import STEP_SLUGS
    from payments.eligibility import Benefits, RightToWork
    from payments.models import PaymentMethod

    user = user or UserFactory(role=Role.EXPERT if status in {"active", "paused"} else None)
    defaults = {
        "status": status,
        "completed_steps": list(STEP_SLUGS),
        "region": "london",
        "hours_per_month": 8,
        "availability": ["weekday_mornings"],
        "access_needs": {
            "needs": ["captions", "breaks"],
            "interpreter_language": "",
            "meeting_format": "online",
            "other": "",
        },
        "credit_preference": ExpertProfile.Credit.PSEUDONYM,
        "legal_name": f"Legal Name of {user.display_name}",
        "payment_method": PaymentMethod.BANK_TRANSFER,
        "right_to_work": RightToWork.YES,
        "means_tested_benefits": Benefits.NO,
        "expertise_notes": "",
    }
    if status != "draft":
        from django.utils import timezone

        defaults["submitted_at"] = timezone.now()
    profile = ExpertProfile.objects.create(user=user, **{**defaults, **fields})
    profile.topics.set(topics)
    profile.languages.set(languages)
    statements = consent_statements_current()
    answers = consents if consents is not None else dict.fromkeys(statements, True)
    consents_record(profile=profile, answers=answers, statements=statements)
    return profile
