"""Demo data for `manage.py seed_demo`: the topic list, about 30 experts with varied answers
and statuses, a panel, and a second panel with invitations in every state, sessions,
payments, and three funding calls (open, scoring, closed with decisions). Deterministic,
and skips whatever already exists."""

import random
import struct
import uuid
import zlib
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import Role
from accounts.seed import demo_user_ensure
from core.services.audit import audit_record
from engagement.models import (
    AccessNeed,
    AdvisoryRequest,
    Attendance,
    Availability,
    ConflictDeclaration,
    ConsentStatement,
    Criterion,
    Decision,
    Descriptor,
    ExpertProfile,
    FundingCall,
    ImpactRating,
    ImpactRecord,
    Invitation,
    Language,
    MeetingFormat,
    Panel,
    PanelMembership,
    PanelSession,
    Proposal,
    Region,
    ResearchTeam,
    ReviewAssignment,
    ReviewerGroup,
    ScoringRound,
    SessionNote,
    TeamMembership,
    Topic,
)
from engagement.selectors.consents import consent_statements_current
from engagement.selectors.experts import expert_list_available_for_contact
from engagement.selectors.scoring import round_scores
from engagement.services.calls import (
    call_open,
    calls_close_due,
    criteria_approve,
    criteria_comment_add,
    proposal_submit,
)
from engagement.services.consents import consents_record
from engagement.services.honoraria import honorarium_for_attendance
from engagement.services.invitations import (
    invitation_accept,
    invitation_decline,
    invitation_send,
    invitation_withdraw,
    invitations_create,
    invitations_expire_due,
)
from engagement.services.panels import panel_create, panel_member_add
from engagement.services.scoring import (
    assignment_apply,
    conflict_declare,
    decision_record,
    review_save_draft,
    review_submit,
    reviewer_add,
    round_phase_advance,
)
from engagement.services.sessions import session_note_approve
from engagement.steps import STEP_SLUGS
from payments.eligibility import Benefits, RightToWork
from payments.models import Honorarium, PaymentBatch, PaymentMethod, RateCard
from payments.services.batches import batch_create, batch_mark_paid
from payments.services.expenses import (
    expense_approve,
    expense_reject,
    expense_submit,
    expense_withdraw,
)
from payments.services.honoraria import honorarium_approve, honorarium_cancel, honorarium_reject

# Marked for translation: the site shows topic names in the reader's language (Topic.__str__).
TOPICS = [
    gettext_noop("Designing research questions"),
    gettext_noop("Labour exploitation"),
    gettext_noop("Domestic servitude"),
    gettext_noop("Criminal exploitation, including county lines"),
    gettext_noop("Support services and safe houses"),
    gettext_noop("Immigration and asylum systems"),
    gettext_noop("Policing and the justice system"),
    gettext_noop("Health and mental health services"),
    gettext_noop("Housing"),
    gettext_noop("Work, money and financial inclusion"),
    gettext_noop("Children and young people"),
    gettext_noop("Ethics and safety in research"),
    gettext_noop("Peer support"),
    gettext_noop("Language and interpreting"),
]

PSEUDONYMS = [
    "Amira", "Bogdan", "Chioma", "Dritan", "Esi", "Farid", "Gabriela", "Hoa", "Idris", "Jana",
    "Kwame", "Lina", "Mihai", "Nadia", "Oksana", "Pavel", "Quynh", "Rosa", "Samir", "Tigist",
    "Uzma", "Viktor", "Wen", "Xhesika", "Yusuf", "Zofia", "Arben", "Blessing", "Daria",
]  # fmt: skip

# The transition that led to each seeded status, for the demo's history.
_TRANSITION_TO = {
    ExpertProfile.Status.ACTIVE: "activate",
    ExpertProfile.Status.PAUSED: "pause",
    ExpertProfile.Status.INFO_REQUESTED: "request_info",
    ExpertProfile.Status.DECLINED: "decline",
    ExpertProfile.Status.LEFT: "leave",
}

STATUSES = (
    [ExpertProfile.Status.ACTIVE] * 17
    + [ExpertProfile.Status.APPLIED] * 5
    + [ExpertProfile.Status.INFO_REQUESTED] * 2
    + [ExpertProfile.Status.PAUSED] * 3
    + [ExpertProfile.Status.DECLINED, ExpertProfile.Status.LEFT]
)


def topics_seed() -> list[Topic]:
    return [
        Topic.objects.get_or_create(name=name, defaults={"sort_order": index})[0]
        for index, name in enumerate(TOPICS)
    ]


def _fill_profile(profile: ExpertProfile, rng: random.Random, topics, languages, status) -> None:
    now = timezone.now()
    profile.status = status
    profile.completed_steps = list(STEP_SLUGS)
    profile.pronouns = rng.choice(["", "she/her", "he/him", "they/them"])
    profile.region = rng.choice(Region.values)
    profile.expertise_notes = rng.choice(["", "Working with interpreters in research interviews."])
    needs = rng.sample(AccessNeed.values, k=rng.randint(0, 3))
    profile.access_needs = {
        "needs": needs,
        "interpreter_language": "Albanian" if "interpreter" in needs else "",
        "meeting_format": rng.choice(MeetingFormat.values),
        "other": "",
    }
    profile.hours_per_month = rng.choice([2, 4, 6, 8, 10, 16, 20])
    profile.availability = rng.sample(Availability.values, k=rng.randint(1, 3))
    profile.credit_preference = rng.choice(ExpertProfile.Credit.values)
    profile.credit_name = ""
    right_to_work = rng.choice(RightToWork.values)
    profile.right_to_work = right_to_work
    profile.means_tested_benefits = rng.choice(Benefits.values)
    profile.payment_method = (
        PaymentMethod.EXPENSES_ONLY
        if right_to_work != RightToWork.YES
        else rng.choice([PaymentMethod.BANK_TRANSFER, PaymentMethod.VOUCHER])
    )
    profile.legal_name = f"{profile.user.display_name} (legal name on file)"
    profile.paused_until = (
        timezone.localdate() + timedelta(days=30) if status == ExpertProfile.Status.PAUSED else None
    )
    profile.submitted_at = now - timedelta(days=rng.randint(1, 90))
    profile.status_changed_at = profile.submitted_at
    profile.save()
    profile.topics.set(rng.sample(topics, k=rng.randint(1, 4)))
    profile.languages.set(
        [languages["en"], *rng.sample(list(languages.values()), k=rng.randint(0, 2))]
    )
    statements = consent_statements_current()
    consents_record(
        profile=profile,
        answers={
            kind: kind == ConsentStatement.Kind.DATA_PROCESSING or rng.random() < 0.7
            for kind in statements
        },
        statements=statements,
    )
    if status != ExpertProfile.Status.APPLIED:
        audit_record(
            actor=None,
            action=f"expertprofile.{_TRANSITION_TO[status]}",
            subject=profile,
            from_state=ExpertProfile.Status.APPLIED,
            to_state=status,
        )


def engagement_seed(*, users: dict[Role, User]) -> None:
    topics = topics_seed()
    languages = {language.code: language for language in Language.objects.all()}
    rng = random.Random(20261130)  # noqa: S311 - fixed seed: the same demo every time
    expert_group = Group.objects.get(name=Role.EXPERT)

    demo_expert = users[Role.EXPERT]
    if not ExpertProfile.objects.filter(user=demo_expert).exists():
        profile = ExpertProfile.objects.create(user=demo_expert)
        _fill_profile(profile, rng, topics, languages, ExpertProfile.Status.ACTIVE)
        profile.right_to_work = RightToWork.YES
        profile.payment_method = PaymentMethod.BANK_TRANSFER
        profile.legal_name = "Samira Haddad"
        profile.save()
        consents_record(
            profile=profile,
            answers=dict.fromkeys(ConsentStatement.Kind.values, True),
            statements=consent_statements_current(),
        )

    for index, (name, status) in enumerate(zip(PSEUDONYMS, STATUSES, strict=True)):
        user = demo_user_ensure(email=f"adviser{index + 1:02d}@example.org", display_name=name)
        if ExpertProfile.objects.filter(user=user).exists():
            continue
        if status in {ExpertProfile.Status.ACTIVE, ExpertProfile.Status.PAUSED}:
            user.groups.add(expert_group)
        _fill_profile(ExpertProfile.objects.create(user=user), rng, topics, languages, status)

    _panel_seed(users)
    _research_seed(users, topics, languages)
    _invitations_seed(users)
    _sessions_seed(users)
    _payments_seed(users)
    calls_seed(users, topics)


def _panel_seed(users: dict[Role, User]) -> None:
    name = "Safe housing research design panel"
    if Panel.objects.filter(name=name).exists():
        return
    lead = users[Role.COORDINATOR]
    panel = panel_create(
        name=name,
        description="Advises a research team designing a study of safe housing.",
        by=lead,
    )
    members = ExpertProfile.objects.filter(status=ExpertProfile.Status.ACTIVE).order_by("pk")[:6]
    for expert in members:
        panel_member_add(
            panel=panel,
            expert=expert,
            role="member",
            started_on=timezone.localdate() - timedelta(days=60),
            by=lead,
        )


INVITATIONS_PANEL = "Work and money advisory panel"


def _invitations_seed(users: dict[Role, User]) -> None:
    """A standing panel with invitations in every state, made through the services that
    coordinators, experts and the periodic jobs use: the demo expert's is open (answer it from
    /me/), one accepted, one declined, one expired and one withdrawn; the three seats these
    freed went to the first three on the waitlist, and a fourth person is still waiting."""
    if Panel.objects.filter(name=INVITATIONS_PANEL).exists():
        return
    lead = users[Role.COORDINATOR]
    panel = panel_create(
        name=INVITATIONS_PANEL,
        description="Advises on research about work, money and financial inclusion.",
        region=Region.WALES,
        seats=5,
        by=lead,
    )
    on_first_panel = PanelMembership.objects.exclude(panel=panel).values("expert")
    demo = users[Role.EXPERT].expert_profile
    others = list(
        expert_list_available_for_contact()
        .exclude(pk=demo.pk)
        .exclude(pk__in=on_first_panel)
        .order_by("pk")[:8]
    )
    accepting, declining, expiring, withdrawn, *waitlist = others
    invitations = invitations_create(
        panel=panel,
        invitees=[demo, accepting, declining, expiring, withdrawn],
        waitlist=waitlist,
        by=lead,
    )
    for invitation in invitations[:5]:
        invitation_send(invitation_id=invitation.pk)
    by_expert = {i.expert_id: i for i in invitations}
    invitation_accept(invitation=by_expert[accepting.pk], by=accepting.user)
    invitation_decline(invitation=by_expert[declining.pk], by=declining.user)
    # Its week has passed: the expiry job expires it (and invites the next person waiting).
    Invitation.objects.filter(pk=by_expert[expiring.pk].pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    invitations_expire_due()
    invitation_withdraw(invitation=by_expert[withdrawn.pk], by=lead)
    # The waitlist's promoted invitations go out now rather than at the next sweep.
    for invitation_id in panel.invitations.waiting_to_send().values_list("pk", flat=True):
        invitation_send(invitation_id=invitation_id)


# The demo team's requests, one in each state, with the coordinator's message where there is
# one. The accepted request has its panel.
_REQUESTS = [
    ("Safe housing after exploitation", AdvisoryRequest.Status.ACCEPTED, "We would love to help."),
    ("Talking to employers about forced labour", AdvisoryRequest.Status.SUBMITTED, ""),
    (
        "Interview guide for a study of support services",
        AdvisoryRequest.Status.CHANGES_REQUESTED,
        "Could you say how long each interview will be, and who will be in the room?",
    ),
    ("Survey of peer support groups", AdvisoryRequest.Status.DRAFT, ""),
    (
        "Reviewing police training materials",
        AdvisoryRequest.Status.DECLINED,
        "This is outside what our advisers offer at the moment. Please talk to us again.",
    ),
    ("Children's services pilot", AdvisoryRequest.Status.WITHDRAWN, ""),
]
_REQUEST_TRANSITION = {
    AdvisoryRequest.Status.ACCEPTED: "accept",
    AdvisoryRequest.Status.CHANGES_REQUESTED: "request_changes",
    AdvisoryRequest.Status.DECLINED: "decline",
}


def _research_seed(users: dict[Role, User], topics: list[Topic], languages: dict) -> None:
    """A research team with researcher@example.org in it, and a request in each state. The
    history is written as the transitions would have written it; no email goes out."""
    name = "Safe Homes Study"
    if ResearchTeam.objects.filter(name=name).exists():
        return
    researcher, lead = users[Role.RESEARCHER], users[Role.COORDINATOR]
    team = ResearchTeam.objects.create(
        name=name,
        organisation="University of Tandem",
        description="We study how people leaving exploitation find a safe place to live.",
    )
    TeamMembership.objects.create(team=team, user=researcher)
    now = timezone.now()
    for index, (title, status, message) in enumerate(_REQUESTS):
        sent = status != AdvisoryRequest.Status.DRAFT
        request = AdvisoryRequest.objects.create(
            team=team,
            created_by=researcher,
            status=status,
            title=title,
            about="We would like advice on how we ask our questions, and on what we ask.",
            stage="design",
            input_kind="panel_meeting",
            experts_wanted=4,
            prep_hours=Decimal("1.0"),
            session_hours=Decimal("2.0"),
            earliest_date=timezone.localdate() + timedelta(days=14),
            latest_date=timezone.localdate() + timedelta(days=120),
            format="online",
            content_notes="Some interview extracts describe control by employers.",
            agrees_to_fund=True,
            submitted_at=now - timedelta(days=3 + index) if sent else None,
            status_changed_at=now - timedelta(days=1 + index),
        )
        request.topics.set(topics[index : index + 2])
        request.languages.set([languages["en"]])
        if sent:
            audit_record(
                actor=researcher,
                action="advisoryrequest.submit",
                subject=request,
                from_state=AdvisoryRequest.Status.DRAFT,
                to_state=AdvisoryRequest.Status.SUBMITTED,
            )
        if status in _REQUEST_TRANSITION:
            audit_record(
                actor=lead,
                action=f"advisoryrequest.{_REQUEST_TRANSITION[status]}",
                subject=request,
                from_state=AdvisoryRequest.Status.SUBMITTED,
                to_state=status,
                note=message,
            )
        elif status == AdvisoryRequest.Status.WITHDRAWN:
            audit_record(
                actor=researcher,
                action="advisoryrequest.withdraw",
                subject=request,
                from_state=AdvisoryRequest.Status.SUBMITTED,
                to_state=status,
            )
        if status == AdvisoryRequest.Status.ACCEPTED:
            # Its members, sessions and "you said, we did" come from _sessions_seed.
            panel_create(name=title, description=request.about, by=lead, request=request)


# The rates of the demo's rate cards: the one in force, and the one from next April.
RATES_IN_FORCE = {
    "session_hourly": Decimal("25.00"),
    "preparation_hourly": Decimal("25.00"),
    "review_fee": Decimal("40.00"),
    "writing_hourly": Decimal("25.00"),
    "day_rate": Decimal("150.00"),
    "mileage_per_mile": Decimal("0.45"),
    "expenses_notes": (
        "We pay back what taking part costs you: travel by bus, train or coach (or 45p a mile "
        "by car), childcare or care while you take part, and mobile data or phone credit for "
        "online meetings. Send us a photo of the receipt. If a cost is more than £50, ask us "
        "first."
    ),
}
RATES_NEXT_APRIL = {
    **RATES_IN_FORCE,
    "session_hourly": Decimal("30.00"),
    "preparation_hourly": Decimal("30.00"),
    "writing_hourly": Decimal("30.00"),
    "day_rate": Decimal("180.00"),
}


def demo_receipt_png() -> bytes:
    """A real PNG of one white pixel: the demo's receipts (and the tests')."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _rate_cards_seed(finance: User) -> None:
    """A card in force since April 2025 and one from the next 1 April."""
    RateCard.objects.get_or_create(
        effective_from=date(2025, 4, 1), defaults={**RATES_IN_FORCE, "created_by": finance}
    )
    today = timezone.localdate()
    if not RateCard.objects.filter(effective_from__gt=today).exists():
        RateCard.objects.create(
            effective_from=date(today.year + (today >= date(today.year, 4, 1)), 4, 1),
            created_by=finance,
            **RATES_NEXT_APRIL,
        )


def _claim(profile: ExpertProfile, category: str, description: str, amount: str, days_ago: int):
    return expense_submit(
        payee=profile.user,
        payee_reference=profile.reference,
        category=category,
        description=description,
        incurred_on=timezone.localdate() - timedelta(days=days_ago),
        amount=Decimal(amount),
        receipt=ContentFile(demo_receipt_png(), name="receipt.png"),
    )


def _payments_seed(users: dict[Role, User]) -> None:
    """Rate cards, the honoraria for every attendance (through the same service as the
    attendance task), expenses, and items in every state: one batch paid, one still open.
    Every change goes through the payments services, so the ledger has a row for each."""
    lead, finance = users[Role.COORDINATOR], users[Role.FINANCE]
    _rate_cards_seed(finance)
    if PaymentBatch.objects.exists():
        return
    for attendance in Attendance.objects.filter(attended=True).order_by("pk"):
        honorarium_for_attendance(attendance_id=attendance.pk)
    demo = users[Role.EXPERT].expert_profile
    mine = list(
        Honorarium.objects.filter(payee=demo.user, payable=True).order_by("work_date", "pk")
    )
    others = list(Honorarium.objects.filter(payable=True).exclude(payee=demo.user).order_by("pk"))
    # The demo expert's sessions are approved (the first gets paid below); of the others'
    # sessions, one goes into the open batch, one is rejected, one cancelled, the rest wait.
    for item in [*mine, *others[:1]]:
        honorarium_approve(honorarium_id=item.pk, by=lead)
    for item in others[1:2]:
        honorarium_reject(
            honorarium_id=item.pk,
            by=lead,
            reason="Our records show you could not join this session. Tell us if that is wrong.",
        )
    for item in others[2:3]:
        honorarium_cancel(honorarium_id=item.pk, by=lead, reason="Recorded twice by mistake.")

    train = _claim(demo, "travel", "Train ticket to the panel meeting", "23.40", 21)
    childcare = _claim(demo, "childcare", "Childcare during the online session", "30.00", 21)
    _claim(demo, "data_phone", "Mobile data for the online meeting", "5.00", 3)
    lunch = _claim(demo, "other", "Lunch during the all-day workshop", "8.50", 10)
    taxi = _claim(demo, "travel", "Taxi home after the session", "18.00", 21)
    withdrawn = _claim(demo, "other", "Printing the interview guide", "2.50", 20)
    expense_reject(
        expense_id=taxi.pk,
        by=lead,
        reason="We pay for taxis when we agree them before the session. Please claim the bus fare.",
    )
    expense_withdraw(expense_id=withdrawn.pk, by=demo.user)
    # An expert paid expenses only is paid back like everyone else.
    expenses_only = (
        ExpertProfile.objects.filter(payment_method=PaymentMethod.EXPENSES_ONLY)
        .exclude(pk=demo.pk)
        .filter(attendance__attended=True)
        .order_by("pk")
        .first()
    )
    extra = (
        []
        if expenses_only is None
        else [_claim(expenses_only, "travel", "Bus fares to and from the meeting", "6.80", 21)]
    )
    for item in [train, childcare, lunch, *extra]:
        expense_approve(expense_id=item.pk, by=lead)

    # Finance pays the demo expert's first session, the train fare and the bus fares, and has
    # another session and the childcare in a batch not yet paid.
    paid = batch_create(
        by=finance,
        honorarium_ids=[mine[0].pk] if mine else [],
        expense_ids=[train.pk, *(item.pk for item in extra)],
    )
    batch_mark_paid(batch_id=paid.pk, by=finance)
    batch_create(
        by=finance,
        honorarium_ids=[item.pk for item in others[:1]],
        expense_ids=[childcare.pk],
    )


def _sessions_seed(users: dict[Role, User]) -> None:
    """Two panels with a past and an upcoming session each: attendance, approved notes, a
    "you said, we did" with the demo expert's rating on one, the other past session overdue
    for it. Seeded as data (no emails go out); notes are approved through the spine."""
    lead = users[Role.COORDINATOR]
    demo = users[Role.EXPERT].expert_profile
    standing = Panel.objects.get(name="Safe housing research design panel")
    # The panel formed for the demo research team's accepted request (_research_seed).
    request_panel = Panel.objects.get(
        request__team__memberships__user=users[Role.RESEARCHER],
        request__status=AdvisoryRequest.Status.ACCEPTED,
    )
    if PanelSession.objects.filter(panel__in=[standing, request_panel]).exists():
        return
    since = timezone.localdate() - timedelta(days=60)
    others = (
        ExpertProfile.objects.filter(status=ExpertProfile.Status.ACTIVE)
        .exclude(pk=demo.pk)
        .order_by("-pk")[:3]
    )
    for panel in (standing, request_panel):
        if not panel.memberships.current().filter(expert=demo).exists():
            panel_member_add(panel=panel, expert=demo, role="member", started_on=since, by=lead)
    chair, *members = others
    for expert, role in [(chair, PanelMembership.Role.CHAIR), *((m, "member") for m in members)]:
        if not request_panel.memberships.filter(expert=expert).exists():
            panel_member_add(
                panel=request_panel, expert=expert, role=role, started_on=since, by=lead
            )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for panel, title in (
        (standing, "Reviewing the interview guide"),
        (request_panel, "First meeting"),
    ):
        past = PanelSession.objects.create(
            panel=panel,
            title=title,
            starts_at=now - timedelta(days=21, hours=now.hour - 10),
            duration_minutes=120,
            prep_minutes=60,
            format="online",
            joining_details="https://meet.example.org/tandem-demo",
            access_support=["captions", "breaks"],
            agenda="1. Welcome and ground rules\n2. The draft questions\n3. What is missing",
        )
        PanelSession.objects.create(
            panel=panel,
            title="Second meeting",
            starts_at=now + timedelta(days=10, hours=14 - now.hour),
            duration_minutes=90,
            prep_minutes=30,
            format="online",
            joining_details="https://meet.example.org/tandem-demo-2",
            access_support=["captions", "breaks", "interpreter"],
        )
        for membership in panel.memberships.current():
            Attendance.objects.create(
                session=past, expert=membership.expert, attended=True, recorded_by=lead
            )
        note = SessionNote.objects.create(
            session=past, text="The panel asked for shorter questions and a break every hour."
        )
        session_note_approve(note=note, by=lead if panel is standing else chair.user)
    held = PanelSession.objects.get(panel=request_panel, title="First meeting")
    impact = ImpactRecord.objects.create(
        session=held,
        heard="The questions about money felt like a test. Ask about housing first.",
        changed="We moved the money questions to the end and made them optional.",
        not_changed="We kept the 45-minute length: the funder requires the full set.",
        recorded_by=users[Role.RESEARCHER],
    )
    ImpactRating.objects.create(
        impact=impact, expert=demo, answer=ImpactRating.Answer.PARTLY, note="Mostly, yes."
    )


# Funding calls and scoring rounds (issue 9). Three calls, each made through the services a
# coordinator, a research team, a reviewer and the periodic jobs use: one open, whose criteria
# the co-design panel discussed and its chair approved; one whose round is scoring, where the
# demo expert has two proposals (one with a draft saved); and one closed with its decisions.

CO_DESIGN_PANEL = "Funding calls co-design panel"
OPEN_CALL = "safer-work-after-exploitation"
SCORING_CALL = "recovery-and-long-term-support"
CLOSED_CALL = "safe-housing-pathways"

# The co-design panel's criteria, each with an anchor for every point of the 1-5 scale.
CRITERIA = [
    (
        "Shaped by people with lived experience",
        "2.0",
        "Are people with lived experience involved from the start, paid, and able to change "
        "the plan?",
        [
            "Lived experience is not mentioned.",
            "People are asked for feedback once the plan is fixed.",
            "People are involved at some stages and paid for their time.",
            "People shape the questions and the methods and are paid fairly.",
            "People with lived experience lead or co-lead the work and share its decisions.",
        ],
    ),
    (
        "Safe and ethical for participants",
        "2.0",
        "Does the plan keep participants safe, protect their anonymity and offer support?",
        [
            "Risks to participants are not considered.",
            "Some risks are named but there is no plan for them.",
            "A reasonable plan for consent, anonymity and support.",
            "A careful, trauma-informed plan with support before, during and after.",
            "Safety is built in throughout, and participants can withdraw at any time, easily.",
        ],
    ),
    (
        "A sound way to find out",
        "1.5",
        "Will the methods answer the question, and is the budget realistic?",
        [
            "The methods cannot answer the question.",
            "The methods could answer part of the question.",
            "Sound methods and a realistic budget.",
            "Strong methods, well explained, with a realistic timetable.",
            "Excellent methods that others could learn from.",
        ],
    ),
    (
        "Makes a difference",
        "1.5",
        "Will the findings change practice, services or policy for people after exploitation?",
        [
            "No clear benefit to people after exploitation.",
            "A possible benefit, with no plan to share the findings.",
            "A clear benefit and a plan to share the findings.",
            "A strong case for change, with the people who can make it involved.",
            "Likely to change practice widely, with survivors sharing the findings.",
        ],
    ),
]

# (name, organisation, email, display name) of the research teams that submit proposals; the
# demo research team (Safe Homes Study) submits too.
CALL_TEAMS = [
    ("Fair Work Lab", "Northfield University", "fairwork@example.org", "Tomasz (Fair Work Lab)"),
    (
        "Pathways Collective",
        "Riverside Community Research",
        "pathways@example.org",
        "Grace (Pathways Collective)",
    ),
    (
        "Recovery Futures",
        "Eastbridge University",
        "recovery@example.org",
        "Imran (Recovery Futures)",
    ),
    (
        "Harbour Research Partnership",
        "Harbour Trust",
        "harbour@example.org",
        "Ffion (Harbour Research Partnership)",
    ),
]

# Reviewers who are not experts: academics (one works at Eastbridge University, so a
# coordinator adds her conflict with that university's proposal) and staff.
ACADEMICS = [
    ("academic1@example.org", "Dr Helen Price"),
    ("academic2@example.org", "Dr Owen Hughes"),
    ("academic3@example.org", "Dr Aisha Karim"),
]
STAFF_REVIEWERS = [
    ("staff1@example.org", "Morgan (staff reviewer)"),
    ("staff2@example.org", "Rhys (staff reviewer)"),
]

# Proposals: (team, title, lay summary, plan, partner organisations, topic positions). The
# full summary names the team and its partners; the anonymised one blind reviewers read
# does not.
SCORING_PROPOSALS = [
    (
        "Safe Homes Study",
        "Staying safe after the safe house",
        "We want to find out what helps people stay safe in the year after they leave a safe "
        "house.",
        "A two-year study following 40 people who leave safe houses, with interviews every "
        "four months and a peer researcher in every interview.",
        "Safe Homes Charity",
        (4, 8),
    ),
    (
        "Fair Work Lab",
        "Rebuilding a work history after labour exploitation",
        "Many people leave exploitation with no references and gaps in their work history. We "
        "want to test ways to fix that.",
        "A trial of a skills passport, co-designed with survivors, with 60 job seekers and 10 "
        "employers.",
        "Northfield Law Centre\nWorkers Together",
        (1, 9),
    ),
    (
        "Pathways Collective",
        "Peer mentors in long-term recovery",
        "Survivors tell us that talking to someone who has been through it helps. We want to "
        "find out how, and for whom.",
        "A realist evaluation of three peer mentoring schemes, with mentors as co-researchers.",
        "Survivor Voices Network",
        (12, 4),
    ),
    (
        "Recovery Futures",
        "What helps when the recovery period ends",
        "Support often stops suddenly. We want to learn what people need when it does, and "
        "who could give it.",
        "Interviews with 50 people and 30 support workers, and a review of local support "
        "after the recovery period.",
        "Open Doors Housing Association",
        (4, 5),
    ),
    (
        "Harbour Research Partnership",
        "Mental health support that survivors choose",
        "We want to compare the mental health support on offer with the support survivors say "
        "they want.",
        "A survey of 200 survivors designed with a lived-experience panel, then four "
        "community workshops.",
        "Harbour Trust Wellbeing Service",
        (7, 12),
    ),
    (
        "Fair Work Lab",
        "Money, debt and recovery",
        "Debts taken on under control can follow people for years. We want to map them and "
        "test advice that helps.",
        "Case reviews with a debt advice service and a small trial of specialist advice.",
        "Northfield Law Centre",
        (9,),
    ),
    (
        "Pathways Collective",
        "Interpreting in recovery services",
        "People are often supported in a language they do not speak well. We want to find "
        "out what good interpreting looks like.",
        "Observation of 30 appointments with consent, and interviews with interpreters and the "
        "people they interpret for.",
        "Survivor Voices Network\nCommunity Interpreters Cooperative",
        (13, 4),
    ),
]
CLOSED_PROPOSALS = [
    (
        "Safe Homes Study",
        "Move-on housing after exploitation",
        "Where people live after support ends can keep them safe or put them at risk. We want "
        "to find out what works.",
        "A comparison of move-on housing in four areas, with peer researchers.",
        "Safe Homes Charity",
        (8,),
    ),
    (
        "Pathways Collective",
        "Community hosting as safe accommodation",
        "Some people stay with volunteer hosts. We want to learn when that is safe and when it "
        "is not.",
        "Interviews with 30 guests and 30 hosts, and a safety framework tested with hosts.",
        "Survivor Voices Network",
        (8, 4),
    ),
    (
        "Harbour Research Partnership",
        "How housing officers first respond",
        "A housing officer may be the first person someone tells. We want to improve what "
        "happens next.",
        "Training co-designed with survivors, tested in six housing offices.",
        "Harbour Trust",
        (8, 6),
    ),
    (
        "Fair Work Lab",
        "Tied housing and labour exploitation",
        "When a job comes with a bed, losing one means losing both. We want to understand "
        "tied housing.",
        "Case studies from advice services and interviews with people who lived in tied housing.",
        "Northfield Law Centre",
        (1, 8),
    ),
    (
        "Recovery Futures",
        "Landlords, letting agents and hidden exploitation",
        "We want to help landlords and letting agents spot exploitation and respond safely.",
        "A survey of landlords and agents, then guidance written with survivors.",
        "Open Doors Housing Association",
        (8,),
    ),
]

REASONS = {
    1: "The plan does not yet show how it would work for the people it is about.",
    2: "Some good ideas, but the plan leaves out what matters most to participants.",
    3: "A sound plan. I would like to hear more about how people will be kept safe.",
    4: "Clear and careful, and it listens to people with lived experience throughout.",
    5: "Excellent: this is what people leaving exploitation have asked for.",
}
DECISION_REASONS = {
    Decision.Outcome.FUND: "Ranked highly by every group; the panel agreed it should be funded.",
    Decision.Outcome.RESERVE: "A strong proposal: funded if money comes back from another award.",
    Decision.Outcome.REJECT: "The panel found the plan for participants' safety too thin.",
}


def demo_proposal_pdf(title: str) -> bytes:
    """A real one-page PDF with the proposal's title: the demo's proposal documents."""
    text = title.encode("ascii", "replace").replace(b"\\", b"\\\\")
    text = text.replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"BT /F1 16 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _co_design_panel(users: dict[Role, User]) -> Panel:
    """A standing lived-experience panel that co-designs the calls' criteria: a chair, the
    demo expert and three more members."""
    panel = Panel.objects.filter(name=CO_DESIGN_PANEL).first()
    if panel is not None:
        return panel
    lead = users[Role.COORDINATOR]
    demo = users[Role.EXPERT].expert_profile
    panel = panel_create(
        name=CO_DESIGN_PANEL,
        description="Experts with lived experience who design how funding calls are judged.",
        by=lead,
    )
    others = list(
        ExpertProfile.objects.filter(status=ExpertProfile.Status.ACTIVE)
        .exclude(pk=demo.pk)
        .order_by("pk")[6:10]
    )
    since = timezone.localdate() - timedelta(days=90)
    for expert, role in [
        (others[0], PanelMembership.Role.CHAIR),
        (demo, PanelMembership.Role.MEMBER),
        *((expert, PanelMembership.Role.MEMBER) for expert in others[1:]),
    ]:
        panel_member_add(panel=panel, expert=expert, role=role, started_on=since, by=lead)
    return panel


def _call_with_criteria(
    *,
    slug: str,
    title: str,
    summary: str,
    panel: Panel,
    opens_days_ago: int,
    closes_in_days: int = 1,
    **round_fields,
) -> ScoringRound:
    """A draft call and its round, with the panel's criteria described at every point.
    Calls, rounds and criteria are set up in the admin as plain data: no service yet."""
    now = timezone.now()
    call = FundingCall.objects.create(
        slug=slug,
        title=title,
        summary=summary,
        eligibility="Research teams based in the UK, working with at least one non-academic "
        "partner organisation.",
        budget=Decimal("300000.00"),
        opens_at=now - timedelta(days=opens_days_ago),
        closes_at=now + timedelta(days=closes_in_days),
        requires_partner=True,
        co_design_panel=panel,
    )
    scoring_round = ScoringRound.objects.create(
        call=call,
        lived_weight=Decimal("2.00"),
        academic_weight=Decimal("1.00"),
        staff_weight=Decimal("1.00"),
        **round_fields,
    )
    for position, (name, weight, guidance, anchors) in enumerate(CRITERIA, start=1):
        criterion = Criterion.objects.create(
            round=scoring_round, position=position, name=name, weight=weight, guidance=guidance
        )
        Descriptor.objects.bulk_create(
            Descriptor(criterion=criterion, point=point, text=text)
            for point, text in enumerate(anchors, start=1)
        )
    return scoring_round


def _chair(panel: Panel) -> User:
    return panel.memberships.current().get(role=PanelMembership.Role.CHAIR).expert.user


def _demo_accounts(accounts: list[tuple[str, str, Role | None]]) -> dict[str, User]:
    """The call seed's accounts, made as accounts.seed.demo_user_ensure makes them (demo
    password, verified email, role) but with the password hashed once for all of them: each
    hash takes about a second, and these are only ever demo accounts."""
    password = make_password(DEMO_PASSWORD)
    made = {}
    for email, display_name, role in accounts:
        user, _created = User.objects.get_or_create(
            email=email, defaults={"display_name": display_name, "password": password}
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        made[email] = user
    return made


def _team_with(name: str, organisation: str, member: User) -> ResearchTeam:
    team, created = ResearchTeam.objects.get_or_create(
        name=name,
        defaults={"organisation": organisation, "description": f"Researchers at {organisation}."},
    )
    if created:
        TeamMembership.objects.create(team=team, user=member)
    return team


def _proposals_submit(
    scoring_round: ScoringRound, teams: dict, proposals: list, topics: list[Topic], days_ago: int
) -> None:
    """Each team's member submits its proposals while the call is open; then the closing
    date passes and the periodic job closes the call."""
    call = scoring_round.call
    for index, (team_name, title, lay, plan, partners, topic_positions) in enumerate(proposals):
        team, member = teams[team_name]
        partner_names = ", ".join(partners.splitlines())
        proposal = proposal_submit(
            call=call,
            team=team,
            by=member,
            data={
                "title": title,
                "lay_summary": lay,
                "full_summary": f"{plan} The study is led by {team.name} at "
                f"{team.organisation}, with {partner_names}.",
                "budget": str(40000 + 7500 * index),
                "lead_organisation": team.organisation,
                "team_description": f"{team.name} at {team.organisation}.",
                "partner_organisations": partners,
            },
            attachment=ContentFile(demo_proposal_pdf(title), name="proposal.pdf"),
            submit_key=uuid.uuid5(uuid.NAMESPACE_URL, f"tandem-demo/{call.slug}/{index}"),
            topics=[topics[position] for position in topic_positions],
        )
        # What blind reviewers read: staff take the names out (an edit in the admin).
        Proposal.objects.filter(pk=proposal.pk).update(
            anonymised_summary=f"{plan} The study is led by a research team with a "
            "community partner organisation."
        )
    closed_at = timezone.now() - timedelta(days=days_ago)
    FundingCall.objects.filter(pk=call.pk).update(closes_at=closed_at)
    Proposal.objects.filter(call=call).update(submitted_at=closed_at - timedelta(days=2))
    calls_close_due()


def _reviewers_add(scoring_round: ScoringRound, lead: User, reviewers: list) -> None:
    for user, group, load_cap in reviewers:
        reviewer_add(
            scoring_round=scoring_round, user=user, group=group, by=lead, load_cap=load_cap
        )


def _scores(scoring_round: ScoringRound, rng: random.Random, quality: int, count=None) -> dict:
    """A reviewer's scores around the proposal's quality, with reasons; `count` criteria
    only for a draft."""
    criteria = list(scoring_round.criteria.order_by("position").values_list("pk", flat=True))
    scores = {}
    for criterion_id in criteria[:count]:
        value = min(5, max(1, quality + rng.choice([-1, 0, 0, 1])))
        scores[criterion_id] = (value, REASONS[value])
    return scores


def calls_seed(users: dict[Role, User], topics: list[Topic]) -> None:
    """The three demo calls (see above). Each is skipped if it exists already."""
    panel = _co_design_panel(users)
    if not FundingCall.objects.filter(slug=OPEN_CALL).exists():
        _open_call_seed(users, panel)
    if FundingCall.objects.filter(slug__in=[SCORING_CALL, CLOSED_CALL]).count() == 2:
        return
    accounts = _demo_accounts(
        [
            *((email, name, Role.RESEARCHER) for _t, _o, email, name in CALL_TEAMS),
            *((email, name, Role.RESEARCHER) for email, name in ACADEMICS),
            *((email, name, None) for email, name in STAFF_REVIEWERS),
        ]
    )
    teams = {
        "Safe Homes Study": (
            ResearchTeam.objects.get(name="Safe Homes Study"),
            users[Role.RESEARCHER],
        )
    }
    for name, organisation, email, _display_name in CALL_TEAMS:
        teams[name] = (_team_with(name, organisation, accounts[email]), accounts[email])
    academics = [accounts[email] for email, _name in ACADEMICS]
    staff = [accounts[email] for email, _name in STAFF_REVIEWERS]
    # Dr Price works at Eastbridge University: the conflict suggestions name its proposal.
    _team_with("Eastbridge Migration Centre", "Eastbridge University", academics[0])
    demo = users[Role.EXPERT].expert_profile
    lived = [
        expert.user
        for expert in ExpertProfile.objects.filter(status=ExpertProfile.Status.ACTIVE)
        .exclude(pk=demo.pk)
        .order_by("pk")[10:13]
    ]
    if not FundingCall.objects.filter(slug=CLOSED_CALL).exists():
        _closed_call_seed(users, panel, teams, topics, lived, academics, staff)
    if not FundingCall.objects.filter(slug=SCORING_CALL).exists():
        _scoring_call_seed(users, panel, teams, topics, lived, academics, staff)


def _open_call_seed(users: dict[Role, User], panel: Panel) -> None:
    """Open for proposals: two panel members commented on the criteria, the chair approved
    them, and a coordinator opened the call."""
    lead = users[Role.COORDINATOR]
    scoring_round = _call_with_criteria(
        slug=OPEN_CALL,
        title="Safer work after exploitation",
        summary="Research that helps people who have left labour exploitation find safe, fair "
        "and lasting work. Proposals are scored by experts with lived experience alongside "
        "academics and staff.",
        panel=panel,
        opens_days_ago=7,
        closes_in_days=45,
        deadline=timezone.now() + timedelta(days=90),
    )
    member = panel.memberships.current().exclude(role=PanelMembership.Role.CHAIR)
    first = users[Role.EXPERT]
    second = member.exclude(expert__user=first).order_by("pk").first().expert.user
    criteria_comment_add(
        scoring_round=scoring_round,
        by=first,
        text="Please ask teams how they will pay people, and when. Being paid late puts people "
        "off taking part.",
    )
    criteria_comment_add(
        scoring_round=scoring_round,
        by=second,
        text="“Safe and ethical” should count as much as the lived-experience criterion: "
        "please weigh them both at 2.",
    )
    criteria_approve(scoring_round=scoring_round, by=_chair(panel))
    call_open(call=FundingCall.objects.get(pk=scoring_round.call_id), by=lead)


def _to_conflicts(scoring_round: ScoringRound, users: dict[Role, User], reviewers: list) -> None:
    lead = users[Role.COORDINATOR]
    _reviewers_add(scoring_round, lead, reviewers)
    round_phase_advance(scoring_round=scoring_round, to=ScoringRound.Phase.CONFLICTS, by=lead)


def _opened(users, panel, teams, topics, proposals, days_ago, **call_fields) -> ScoringRound:
    scoring_round = _call_with_criteria(panel=panel, **call_fields)
    criteria_approve(scoring_round=scoring_round, by=_chair(panel))
    call_open(call=scoring_round.call, by=users[Role.COORDINATOR])
    _proposals_submit(scoring_round, teams, proposals, topics, days_ago)
    return ScoringRound.objects.select_related("call").get(pk=scoring_round.pk)


def _scoring_call_seed(users, panel, teams, topics, lived, academics, staff) -> None:
    """Scoring: seven proposals, nine reviewers in three groups (the demo expert takes two
    proposals), a conflict a reviewer declared and one a coordinator added, the assignment
    applied, and reviews in every state: a third submitted, a third in draft (the demo
    expert's first among them), the rest not started."""
    lead, demo = users[Role.COORDINATOR], users[Role.EXPERT]
    scoring_round = _opened(
        users,
        panel,
        teams,
        topics,
        SCORING_PROPOSALS,
        5,
        slug=SCORING_CALL,
        title="Recovery and long-term support",
        summary="Research into what helps people recover and rebuild their lives in the years "
        "after exploitation.",
        opens_days_ago=60,
        deadline=timezone.now() + timedelta(days=14),
        reviewers_per_proposal=3,
        lived_minimum=1,
        load_cap=3,
    )
    _to_conflicts(
        scoring_round,
        users,
        [
            (demo, ReviewerGroup.LIVED_EXPERIENCE, 2),
            *((user, ReviewerGroup.LIVED_EXPERIENCE, None) for user in lived),
            *((user, ReviewerGroup.ACADEMIC, None) for user in academics),
            *((user, ReviewerGroup.STAFF, None) for user in staff),
        ],
    )
    proposals = {p.title: p for p in scoring_round.call.proposals.all()}
    conflict_declare(
        proposal=proposals["Peer mentors in long-term recovery"],
        reviewer=lived[0],
        reason=ConflictDeclaration.Reason.PERSONAL,
        note="I have been mentored through one of the schemes this study would look at.",
        by=lived[0],
    )
    # The conflict suggestions match Dr Price's university with this proposal's.
    conflict_declare(
        proposal=proposals["What helps when the recovery period ends"],
        reviewer=academics[0],
        reason=ConflictDeclaration.Reason.SAME_ORGANISATION,
        by=lead,
    )
    assignment_apply(scoring_round=scoring_round, by=lead)
    round_phase_advance(scoring_round=scoring_round, to=ScoringRound.Phase.SCORING, by=lead)

    rng = random.Random(20261201)  # noqa: S311 - fixed seed: the same demo every time
    quality = {p.pk: rng.randint(2, 4) for p in proposals.values()}
    mine = list(
        ReviewAssignment.objects.filter(round=scoring_round, reviewer=demo).order_by(
            "proposal__reference"
        )
    )
    if mine:
        review_save_draft(
            assignment=mine[0],
            by=demo,
            scores=_scores(scoring_round, rng, quality[mine[0].proposal_id], count=2),
        )
    others = (
        ReviewAssignment.objects.filter(
            round=scoring_round, status=ReviewAssignment.Status.ASSIGNED
        )
        .exclude(reviewer=demo)
        .select_related("reviewer")
        .order_by("reviewer_id", "proposal__reference")
    )
    for index, review in enumerate(others):
        scores = _scores(scoring_round, rng, quality[review.proposal_id])
        if index % 3 == 0:
            review_submit(assignment=review, by=review.reviewer, scores=scores)
        elif index % 3 == 1:
            scores = dict(list(scores.items())[: 1 + index % 4])
            review_save_draft(assignment=review, by=review.reviewer, scores=scores)


def _closed_call_seed(users, panel, teams, topics, lived, academics, staff) -> None:
    """Closed: five proposals, every review submitted, then the moderation panel (with
    lived-experience voters) funded the top two, held the third in reserve and turned down
    the rest, with reasons; the round is closed."""
    lead = users[Role.COORDINATOR]
    scoring_round = _opened(
        users,
        panel,
        teams,
        topics,
        CLOSED_PROPOSALS,
        120,
        slug=CLOSED_CALL,
        title="Safe housing pathways",
        summary="Research into safe, stable housing for people leaving exploitation.",
        opens_days_ago=200,
        deadline=timezone.now() - timedelta(days=90),
        reviewers_per_proposal=3,
        lived_minimum=1,
        load_cap=4,
    )
    _to_conflicts(
        scoring_round,
        users,
        [
            *((user, ReviewerGroup.LIVED_EXPERIENCE, None) for user in lived),
            *((user, ReviewerGroup.ACADEMIC, None) for user in academics[1:]),
            (staff[0], ReviewerGroup.STAFF, None),
        ],
    )
    assignment_apply(scoring_round=scoring_round, by=lead)
    round_phase_advance(scoring_round=scoring_round, to=ScoringRound.Phase.SCORING, by=lead)
    rng = random.Random(20260601)  # noqa: S311 - fixed seed: the same demo every time
    quality = {
        pk: 2 + index % 3
        for index, pk in enumerate(
            scoring_round.call.proposals.order_by("reference").values_list("pk", flat=True)
        )
    }
    for review in (
        ReviewAssignment.objects.filter(
            round=scoring_round, status=ReviewAssignment.Status.ASSIGNED
        )
        .select_related("reviewer")
        .order_by("reviewer_id", "proposal__reference")
    ):
        review_submit(
            assignment=review,
            by=review.reviewer,
            scores=_scores(scoring_round, rng, quality[review.proposal_id]),
        )
    round_phase_advance(scoring_round=scoring_round, to=ScoringRound.Phase.MODERATION, by=lead)
    voters = [*lived[:2], academics[1], staff[0]]
    outcomes = [Decision.Outcome.FUND] * 2 + [Decision.Outcome.RESERVE]
    ranked = round_scores(scoring_round)
    by_pk = {p.pk: p for p in scoring_round.call.proposals.all()}
    for index, scores in enumerate(ranked):
        outcome = outcomes[index] if index < len(outcomes) else Decision.Outcome.REJECT
        decision_record(
            scoring_round=scoring_round,
            proposal=by_pk[scores.proposal_id],
            outcome=outcome,
            rationale=DECISION_REASONS[outcome],
            voters=voters,
            by=lead,
        )
    round_phase_advance(scoring_round=scoring_round, to=ScoringRound.Phase.CLOSED, by=lead)
