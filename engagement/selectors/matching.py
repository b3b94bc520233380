"""Fair matching: which experts to suggest for a panel, best first, each with its reasons.

The score adds up what fits (shared topics, a shared language, the panel's region, a format
that suits the person, free hours this month) and a fairness term that falls with each paid
engagement in the last twelve months, so that work is shared rather than going to the same
few people. Who may not be contacted never appears: paused, not active, no consent to be
contacted, already on the panel, or already invited to it.

Everything is read in a fixed handful of set-based queries and scored in one pass in Python.
The one costly input is the person's preferred meeting format, which lives in their
encrypted access passport: it is decrypted only for the people who could still reach the
top of the list (the format is worth at most FORMAT_WEIGHT), so ranking 10,000 experts
decrypts a few dozen passports, not 10,000."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from engagement.models import (
    Attendance,
    ExpertProfile,
    Invitation,
    Language,
    MeetingFormat,
    Panel,
    PanelMembership,
    PanelSession,
    RequestFormat,
    Topic,
)
from engagement.selectors.experts import expert_list_available_for_contact

TOPIC_WEIGHT = 3.0
LANGUAGE_WEIGHT = 1.0
REGION_WEIGHT = 1.0
FORMAT_WEIGHT = 1.0
CAPACITY_WEIGHT = 1.0
# Someone with no paid work in the last year gets the whole term; each engagement halves,
# thirds, quarters it.
FAIRNESS_WEIGHT = 2.0
RECENT_DAYS = 365
DEFAULT_LIMIT = 25


@dataclass(frozen=True)
class PanelNeeds:
    """What a panel asks of its experts, from its request or from the panel itself."""

    topics: dict[int, str]
    languages: dict[int, str]
    region: str
    format: str  # a RequestFormat value, or "" when not known (a standing panel)
    hours_asked: Decimal


@dataclass
class Suggestion:
    expert_id: int
    score: float
    recent_engagements: int
    display_name: str = ""
    reference: str = ""
    topics: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    same_region: bool = False
    spare_hours: Decimal | None = None
    format_suits: bool = False

    @property
    def reasons(self) -> list[str]:
        """Why this person is suggested, in the order the score weighs them."""
        reasons = []
        if self.topics:
            reasons.append(_("Topics: %(names)s") % {"names": ", ".join(self.topics)})
        if self.languages:
            reasons.append(_("Speaks %(names)s") % {"names": ", ".join(self.languages)})
        if self.same_region:
            reasons.append(_("Lives in the panel's region"))
        if self.format_suits:
            reasons.append(_("The format suits them"))
        if self.spare_hours is not None:
            hours = f"{self.spare_hours.normalize():f}"
            reasons.append(_("%(hours)s hours free this month") % {"hours": hours})
        if self.recent_engagements:
            reasons.append(
                ngettext(
                    "%(n)s paid engagement in the last 12 months",
                    "%(n)s paid engagements in the last 12 months",
                    self.recent_engagements,
                )
                % {"n": self.recent_engagements}
            )
        else:
            reasons.append(_("No paid engagements in the last 12 months"))
        return reasons


def panel_needs(panel: Panel) -> PanelNeeds:
    """A request panel asks what its request asks; a standing panel has only its region."""
    request = panel.request
    if request is None:
        return PanelNeeds(
            topics={}, languages={}, region=panel.region, format="", hours_asked=Decimal(0)
        )
    return PanelNeeds(
        topics={t.pk: str(t) for t in Topic.objects.filter(requests=request)},
        languages={lang.pk: str(lang) for lang in Language.objects.filter(requests=request)},
        region=panel.region,
        format=request.format,
        hours_asked=Decimal(request.prep_hours) + Decimal(request.session_hours),
    )


def _candidates(panel: Panel) -> list[tuple]:
    return list(
        expert_list_available_for_contact()
        .exclude(pk__in=PanelMembership.objects.current().filter(panel=panel).values("expert"))
        .exclude(pk__in=Invitation.objects.filter(panel=panel).values("expert"))
        .order_by()
        .values_list("pk", "region", "hours_per_month")
    )


def _shared_counts(relation: str, ids: dict[int, str]) -> dict[int, int]:
    """expert id -> how many of `ids` (topics or languages) the expert has, in one query."""
    if not ids:
        return {}
    through = getattr(ExpertProfile, relation).through
    column = through._meta.get_field(relation.rstrip("s")).attname
    return dict(
        through.objects.filter(**{f"{column}__in": ids})
        .values("expertprofile_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("expertprofile_id", "n")
    )


def _shared_names(relation: str, ids: dict[int, str], expert_ids: list[int]) -> dict:
    """expert id -> the names among `ids` the expert has, for the experts shown."""
    if not ids:
        return {}
    through = getattr(ExpertProfile, relation).through
    column = through._meta.get_field(relation.rstrip("s")).attname
    names: dict[int, list[str]] = {}
    for expert_id, other_id in through.objects.filter(
        **{f"{column}__in": ids, "expertprofile_id__in": expert_ids}
    ).values_list("expertprofile_id", column):
        names.setdefault(expert_id, []).append(ids[other_id])
    return {expert_id: sorted(found) for expert_id, found in names.items()}


def _recent_engagements(since) -> dict[int, int]:
    """Paid engagements since `since`: panels joined plus sessions attended."""
    counts: dict[int, int] = {}
    joined = (
        PanelMembership.objects.filter(started_on__gte=since.date())
        .values("expert")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("expert", "n")
    )
    attended = (
        Attendance.objects.filter(attended=True, session__starts_at__gte=since)
        .values("expert")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("expert", "n")
    )
    for expert_id, n in (*joined, *attended):
        counts[expert_id] = counts.get(expert_id, 0) + n
    return counts


def _booked_hours_this_month(now) -> dict[int, Decimal]:
    """Hours each expert is already booked for this month: the preparation and session time
    of the scheduled sessions of the panels they are on."""
    start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    rows = (
        PanelMembership.objects.current()
        .filter(
            panel__sessions__starts_at__gte=start,
            panel__sessions__starts_at__lt=end,
            panel__sessions__status=PanelSession.Status.SCHEDULED,
        )
        .values("expert")
        .annotate(
            minutes=Sum(F("panel__sessions__duration_minutes") + F("panel__sessions__prep_minutes"))
        )
        .order_by()
        .values_list("expert", "minutes")
    )
    return {expert_id: Decimal(minutes) / 60 for expert_id, minutes in rows}


def _format_suits(panel_format: str, preferred: str) -> bool:
    if preferred in {"", MeetingFormat.NO_PREFERENCE} or panel_format == RequestFormat.EITHER:
        return True
    return preferred == panel_format


def _passports(expert_ids: list[int]) -> dict[int, dict]:
    return dict(
        ExpertProfile.objects.filter(pk__in=expert_ids).order_by().values_list("pk", "access_needs")
    )


def panel_suggestions(panel: Panel, *, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
    """The `limit` best-matched experts who may be invited to `panel`, best first (ties in
    the order the experts joined), with the reasons for each place in a coordinator's words."""
    needs = panel_needs(panel)
    now = timezone.now()
    rows = _candidates(panel)
    topics = _shared_counts("topics", needs.topics)
    languages = _shared_counts("languages", needs.languages)
    recent = _recent_engagements(now - timedelta(days=RECENT_DAYS))
    booked = _booked_hours_this_month(now)

    scored = []
    for expert_id, region, hours_per_month in rows:
        suggestion = Suggestion(expert_id, 0.0, recent_engagements=recent.get(expert_id, 0))
        shared_topics = topics.get(expert_id)
        if shared_topics:
            suggestion.score += TOPIC_WEIGHT * shared_topics / len(needs.topics)
        if languages.get(expert_id):
            suggestion.score += LANGUAGE_WEIGHT
        if needs.region and region == needs.region:
            suggestion.score += REGION_WEIGHT
            suggestion.same_region = True
        if hours_per_month is not None:
            spare = hours_per_month - booked.get(expert_id, 0)
            if spare > 0 and spare >= needs.hours_asked:
                suggestion.score += CAPACITY_WEIGHT
                suggestion.spare_hours = Decimal(spare)
        suggestion.score += FAIRNESS_WEIGHT / (1 + suggestion.recent_engagements)
        scored.append(suggestion)

    scored.sort(key=lambda s: (-s.score, s.expert_id))
    if needs.format:
        scored = _with_format(scored, needs.format, limit)
    shown = scored[:limit]
    ids = [s.expert_id for s in shown]
    topic_names = _shared_names("topics", needs.topics, ids)
    language_names = _shared_names("languages", needs.languages, ids)
    people = {
        pk: (name, reference)
        for pk, name, reference in ExpertProfile.objects.filter(pk__in=ids).values_list(
            "pk", "user__display_name", "reference"
        )
    }
    for suggestion in shown:
        suggestion.display_name, suggestion.reference = people[suggestion.expert_id]
        suggestion.topics = topic_names.get(suggestion.expert_id, [])
        suggestion.languages = language_names.get(suggestion.expert_id, [])
    return shown


def _with_format(scored: list[Suggestion], panel_format: str, limit: int) -> list[Suggestion]:
    """Add the format term to the best-scored, reading passports batch by batch until no one
    further down could climb into the top `limit` even with the format's full weight."""
    batch_size = max(limit * 2, 100)
    final: list[Suggestion] = []
    for start in range(0, len(scored), batch_size):
        batch = scored[start : start + batch_size]
        passports = _passports([s.expert_id for s in batch])
        for suggestion in batch:
            preferred = passports.get(suggestion.expert_id, {}).get("meeting_format", "")
            if _format_suits(panel_format, preferred):
                suggestion.score += FORMAT_WEIGHT
                suggestion.format_suits = True
        final.extend(batch)
        final.sort(key=lambda s: (-s.score, s.expert_id))
        following = start + batch_size
        if following >= len(scored) or (
            len(final) >= limit and scored[following].score + FORMAT_WEIGHT < final[limit - 1].score
        ):
            break
    return final
