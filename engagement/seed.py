"""Demo data for `manage.py seed_demo`: the topic list, about 30 experts with varied answers
and statuses, a panel, and a second panel with invitations in every state. Deterministic,
and skips whatever already exists."""

import random
import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from accounts.seed import demo_user_ensure
from core.services.audit import audit_record
from engagement.models import (
    AccessNeed,
    AdvisoryRequest,
    Attendance,
    Availability,
    ConsentStatement,
    ExpertProfile,
    ImpactRating,
    ImpactRecord,
    Invitation,
    Language,
    MeetingFormat,
    Panel,
    PanelMembership,
    PanelSession,
    Region,
    ResearchTeam,
    SessionNote,
    TeamMembership,
    Topic,
)
from engagement.selectors.consents import consent_statements_current
from engagement.selectors.experts import expert_list_available_for_contact
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
