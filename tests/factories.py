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


def team(*, members=(), name="Safe Homes Study", organisation="University of Tandem"):
    """A research team with these users as members (each given the Researcher role)."""
    from engagement.models import ResearchTeam, TeamMembership

    research_team = ResearchTeam.objects.create(name=name, organisation=organisation)
    group = Group.objects.get(name=Role.RESEARCHER.value)
    for user in members:
        user.groups.add(group)
        TeamMembership.objects.create(team=research_team, user=user)
    return research_team


def advisory_request(*, research_team=None, status="draft", topics=(), languages=(), **fields):
    """An advisory request with every required answer filled in."""
    import datetime

    from django.utils import timezone

    from engagement.models import AdvisoryRequest

    today = timezone.localdate()
    defaults = {
        "title": "How people find safe housing",
        "about": "A study of how people leaving exploitation find a safe place to live.",
        "stage": "design",
        "input_kind": "panel_meeting",
        "experts_wanted": 4,
        "prep_hours": "1.0",
        "session_hours": "2.0",
        "earliest_date": today + datetime.timedelta(days=14),
        "latest_date": today + datetime.timedelta(days=90),
        "format": "online",
        "agrees_to_fund": True,
        "status": status,
    }
    request = AdvisoryRequest.objects.create(
        team=research_team or team(members=[researcher()]), **{**defaults, **fields}
    )
    request.topics.set(topics)
    request.languages.set(languages)
    return request


def panel(*, coordinators=(), members=(), chairs=(), seats=0, request=None, name="Housing panel"):
    """A panel with these coordinators, and experts (profiles) as current members or chairs."""
    import datetime

    from django.utils import timezone

    from engagement.models import Panel, PanelMembership

    new_panel = Panel.objects.create(
        name=name,
        seats=seats,
        request=request,
        kind=Panel.Kind.REQUEST if request else Panel.Kind.STANDING,
    )
    new_panel.coordinators.set(coordinators)
    since = timezone.localdate() - datetime.timedelta(days=30)
    for profile in members:
        PanelMembership.objects.create(panel=new_panel, expert=profile, started_on=since)
    for profile in chairs:
        PanelMembership.objects.create(
            panel=new_panel, expert=profile, started_on=since, role=PanelMembership.Role.CHAIR
        )
    return new_panel


def panel_session(*, of_panel, days_ahead=7, **fields):
    """A scheduled online session of the panel, `days_ahead` days from now."""
    import datetime

    from django.utils import timezone

    from engagement.models import PanelSession

    defaults = {
        "title": "First panel meeting",
        "starts_at": timezone.now().replace(minute=0, second=0, microsecond=0)
        + datetime.timedelta(days=days_ahead),
        "duration_minutes": 120,
        "prep_minutes": 60,
        "format": "online",
        "joining_details": "https://meet.tandem.example/room-42",
        "access_support": ["captions", "breaks"],
    }
    return PanelSession.objects.create(panel=of_panel, **{**defaults, **fields})


def funding_call(*, status="draft", co_design_panel=None, requires_partner=False, **fields):
    """A funding call open from yesterday for a month (its status as given)."""
    import datetime

    from django.utils import timezone

    from engagement.models import FundingCall

    now = timezone.now()
    defaults = {
        "title": "Safe housing after exploitation",
        "slug": f"call-{FundingCall.objects.count() + 1}",
        "summary": "Research into safe housing, co-designed with experts.",
        "budget": "250000.00",
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
    }
    return FundingCall.objects.create(
        status=status,
        co_design_panel=co_design_panel,
        requires_partner=requires_partner,
        **{**defaults, **fields},
    )


def scoring_round(*, call=None, criteria=(("Relevance", "2"), ("Method", "1")), **fields):
    """A scoring round with these criteria (name, weight), each described at every point of
    its scale."""
    from engagement.models import Criterion, Descriptor, ScoringRound

    new_round = ScoringRound.objects.create(call=call or funding_call(), **fields)
    for position, (name, weight) in enumerate(criteria, start=1):
        criterion = Criterion.objects.create(
            round=new_round, position=position, name=name, weight=weight, guidance=""
        )
        Descriptor.objects.bulk_create(
            Descriptor(criterion=criterion, point=point, text=f"{name}: {point}")
            for point in new_round.scale
        )
    return new_round


def proposal(*, call, research_team=None, **fields):
    """A submitted proposal to the call, numbered in order."""
    from django.utils import timezone

    from engagement.models import Proposal

    number = call.proposals.count() + 1
    defaults = {
        "reference": f"P-{number:03d}",
        "title": f"Proposal {number}",
        "lay_summary": "What we want to find out, in plain words.",
        "full_summary": "The full plan, naming the University of Tandem.",
        "anonymised_summary": "The full plan, with names taken out.",
        "budget": "20000.00",
        "lead_organisation": "University of Tandem",
        "team_description": "A team at the University of Tandem.",
        "partner_organisations": "Safe Homes Charity",
        "submitted_at": timezone.now(),
    }
    return Proposal.objects.create(call=call, team=research_team, **{**defaults, **fields})


def round_reviewer(*, of_round, user=None, group="academic", load_cap=None):
    """A reviewer in the round: an active expert for the lived-experience group."""
    from engagement.models import RoundReviewer

    if user is None:
        user = expert(status="active").user if group == "lived_experience" else researcher()
    return RoundReviewer.objects.create(round=of_round, user=user, group=group, load_cap=load_cap)
