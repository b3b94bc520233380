"""Funding calls and proposals.

A call opens only once its scoring round's criteria are approved by the co-design panel and
every criterion has a descriptor for every point of the scale; it closes by hand or, once
`closes_at` has passed, by the periodic job. While it is open a research team submits a
proposal (a PDF checked by its content, a partner organisation when the call requires one);
the same form sent twice makes one proposal. Coordinators import proposals from CSV: all rows
or none, and the same rows imported again change nothing."""

import csv
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from core.uploads import upload_content_type
from engagement.models import (
    CriteriaComment,
    Criterion,
    Descriptor,
    FundingCall,
    Proposal,
    ResearchTeam,
    Score,
    ScoringRound,
    Topic,
)
from engagement.predicates import co_designs
from engagement.selectors.codesign import (
    GROUP_WEIGHT_FIELDS,
    criteria_version,
    criteria_with_descriptors,
)
from engagement.services.scoring import assignments_withdraw_for_proposal

COMMENT_MAX_LENGTH = 2000
IMPORT_MAX_ROWS = 2000
IMPORT_COLUMNS = ("id", "title", "lay_summary", "full_summary", "budget", "lead_organisation")
IMPORT_OPTIONAL_COLUMNS = ("team_description", "partner_organisations", "topics")


def _round(call: FundingCall) -> ScoringRound | None:
    return ScoringRound.objects.filter(call=call).select_related("call").first()


def criteria_problems(scoring_round: ScoringRound) -> list[str]:
    """What stops the round's criteria from being approved or its call from opening: no
    criterion yet, or a criterion without a descriptor for some point of the scale."""
    criteria = list(scoring_round.criteria.prefetch_related("descriptors"))
    if not criteria:
        return [_("Add at least one criterion.")]
    problems = []
    scale = set(scoring_round.scale)
    for criterion in criteria:
        described = {d.point for d in criterion.descriptors.all() if d.text.strip()}
        missing = sorted(scale - described)
        if missing:
            problems.append(
                _("“%(name)s” needs a descriptor for the scores %(points)s.")
                % {"name": criterion.name, "points": ", ".join(map(str, missing))}
            )
    return problems


def call_open(*, call: FundingCall, by: User) -> FundingCall:
    """Open a draft call for proposals: its criteria approved and complete, and its closing
    time still ahead."""

    def check(locked: FundingCall) -> None:
        scoring_round = _round(locked)
        if scoring_round is None:
            raise TransitionNotAllowed(_("Set up the scoring round before opening the call."))
        if scoring_round.criteria_status != ScoringRound.CriteriaStatus.APPROVED:
            raise TransitionNotAllowed(
                _("The co-design panel must approve the criteria before the call opens.")
            )
        problems = criteria_problems(scoring_round)
        if problems:
            raise TransitionNotAllowed(" ".join(problems))
        if locked.closes_at <= timezone.now():
            raise TransitionNotAllowed(_("The closing date has passed: change it first."))

    return transition_run(call, "open", by=by, check=check)


def call_close(*, call: FundingCall, by: User | None) -> FundingCall:
    """Close an open call: no more proposals. `by=None` is the periodic job."""
    return transition_run(call, "close", by=by)


def calls_close_due() -> int:
    """The periodic job: close every open call whose closing time has passed. Returns how
    many it closed (a call closed meanwhile by hand is left as it is)."""
    closed = 0
    due = FundingCall.objects.filter(status=FundingCall.Status.OPEN, closes_at__lte=timezone.now())
    for call in due.order_by("pk"):
        try:
            call_close(call=call, by=None)
        except TransitionNotAllowed:
            continue
        closed += 1
    return closed


def criteria_comment_add(*, scoring_round: ScoringRound, by: User, text: str) -> CriteriaComment:
    """A co-design panel member, or a coordinator, adds to the discussion of the criteria
    while the call is still a draft."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your comment.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Keep it to %(n)s characters or fewer.") % {"n": COMMENT_MAX_LENGTH}}
        )
    if not (co_designs(by, scoring_round) or has_role(by, Role.COORDINATOR)):
        raise TransitionNotAllowed(
            _("Only the co-design panel and coordinators can discuss the criteria.")
        )
    with transaction.atomic():
        call = FundingCall.objects.select_for_update().get(pk=scoring_round.call_id)
        if call.status != FundingCall.Status.DRAFT:
            raise TransitionNotAllowed(_("The call is open: its criteria are settled."))
        comment = CriteriaComment.objects.create(round=scoring_round, author=by, text=text)
        audit_record(
            actor=by,
            action="scoringround.criteria_comment",
            subject=scoring_round,
            extra={"comment": comment.pk},
        )
    return comment


def criteria_approve(*, scoring_round: ScoringRound, by: User) -> ScoringRound:
    """The co-design panel's chair (or one of its coordinators) approves the criteria, their
    descriptors and the group weights. A call without a co-design panel has nobody who may
    (`approves_criteria`), so its criteria are never approved."""

    def check(locked: ScoringRound) -> None:
        problems = criteria_problems(locked)
        if problems:
            raise TransitionNotAllowed(" ".join(problems))

    return transition_run(
        scoring_round,
        "approve_criteria",
        by=by,
        check=check,
        together=lambda _obj: {"approved_by": by, "approved_at": timezone.now()},
        queryset=ScoringRound.objects.select_related("call"),
    )


def criteria_reopen(*, scoring_round: ScoringRound, by: User, reason: str = "") -> ScoringRound:
    """A coordinator reopens approved criteria for changes, only while the call is a draft:
    the panel must approve them again before it opens."""

    def check(locked: ScoringRound) -> None:
        if locked.call.status != FundingCall.Status.DRAFT:
            raise TransitionNotAllowed(_("The call has opened: its criteria cannot change now."))

    return transition_run(
        scoring_round,
        "reopen_criteria",
        by=by,
        check=check,
        together=lambda _obj: {"approved_by": None, "approved_at": None},
        note=reason,
        queryset=ScoringRound.objects.select_related("call"),
    )


# Proposals


def _partner_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(";", "\n").splitlines() if line.strip()]


def _budget(value) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip().lstrip("£").replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount


def _proposal_field_errors(call: FundingCall, data: dict) -> tuple[dict, dict]:
    """(cleaned values, {field: (code, message)}) for the fields a submission and an import
    share; the import words its messages by column, from the code."""
    errors = {}
    cleaned = {}
    for name, message, limit in (
        ("title", _("Enter the title."), 300),
        ("lay_summary", _("Enter a summary in plain language."), None),
        ("full_summary", _("Enter the full summary."), None),
        ("lead_organisation", _("Enter the lead organisation."), 200),
    ):
        value = (data.get(name) or "").strip()
        if not value:
            errors[name] = ("missing", message)
        elif limit and len(value) > limit:
            errors[name] = (
                "too_long",
                _("Keep it to %(n)s characters or fewer.") % {"n": limit},
            )
        cleaned[name] = value
    budget = _budget(data.get("budget", ""))
    if budget is None:
        errors["budget"] = (
            "invalid",
            _("The budget must be a number of pounds, like 25000 or 25000.50."),
        )
    cleaned["budget"] = budget
    partners = _partner_lines(data.get("partner_organisations", ""))
    if call.requires_partner and not partners:
        errors["partner_organisations"] = (
            "missing",
            _("This call asks for at least one non-academic partner organisation."),
        )
    cleaned["partner_organisations"] = "\n".join(partners)
    cleaned["team_description"] = (data.get("team_description") or "").strip()
    return cleaned, errors


def _import_message(field: str, code: str) -> str:
    if field == "budget":
        return _("budget must be a number")
    if field == "partner_organisations":
        return _("partner_organisations must name a partner (this call requires one)")
    if code == "too_long":
        return _("%(column)s is too long") % {"column": field}
    return _("%(column)s is missing") % {"column": field}


def _next_reference(call: FundingCall) -> str:
    # Called with the call locked, so two submissions never take the same number.
    return f"P-{call.proposals.count() + 1:03d}"


def _attachment_error(attachment) -> str | None:
    if attachment is None:
        return _("Add the proposal document as a PDF.")
    if attachment.size > settings.PROPOSAL_ATTACHMENT_MAX_BYTES:
        return _("The document must be smaller than %(mb)s MB.") % {
            "mb": settings.PROPOSAL_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }
    if upload_content_type(attachment) != "application/pdf":
        return _("The document must be a PDF file.")
    return None


def proposal_submit(
    *,
    call: FundingCall,
    team: ResearchTeam,
    by: User,
    data: dict,
    attachment,
    submit_key: uuid.UUID,
    topics: list[Topic] = (),
) -> Proposal:
    """A research team's member submits a proposal to an open call before it closes.

    Refused with ValidationError (by field) and nothing stored when a field is missing or
    wrong, the call needs a partner organisation and none is named, or the document is not a
    PDF by its content or is too large. The same form sent again (same `submit_key`) returns
    the proposal it made the first time."""
    if not by.is_authenticated or not by.team_memberships.filter(team=team).exists():
        raise TransitionNotAllowed(_("Only members of the research team can submit for it."))
    earlier = Proposal.objects.filter(submit_key=submit_key).first()
    if earlier is not None and earlier.team_id == team.pk:
        return earlier
    if earlier is not None:
        # A key copied from another team's form: a proposal of its own, under a new key.
        submit_key = uuid.uuid4()
    cleaned, field_errors = _proposal_field_errors(call, data)
    errors = {field: message for field, (_code, message) in field_errors.items()}
    problem = _attachment_error(attachment)
    if problem:
        errors["attachment"] = problem
    if errors:
        raise ValidationError(errors)
    proposal = Proposal(
        call=call,
        team=team,
        # What blind reviewers read: the team's own anonymised text when it gives one.
        anonymised_summary=(data.get("anonymised_summary") or "").strip()
        or cleaned["full_summary"],
        submit_key=submit_key,
        submitted_by=by,
        **cleaned,
    )
    proposal.attachment.save("proposal.pdf", attachment, save=False)
    try:
        with transaction.atomic():
            locked = FundingCall.objects.select_for_update().get(pk=call.pk)
            now = timezone.now()
            if locked.status != FundingCall.Status.OPEN or not (
                locked.opens_at <= now < locked.closes_at
            ):
                raise TransitionNotAllowed(_("This call is not open for proposals."))
            # A double submit that raced this one past the first look: it waited for the
            # lock and finds the proposal made.
            earlier = Proposal.objects.filter(submit_key=submit_key).first()
            if earlier is not None:
                proposal.attachment.delete(save=False)
                return earlier
            proposal.reference = _next_reference(locked)
            proposal.submitted_at = now
            proposal.save()
            proposal.topics.set(topics)
            audit_record(
                actor=by,
                action="proposal.submit",
                subject=proposal,
                extra={"call": call.pk, "reference": proposal.reference},
            )
            email_queue_template(
                template="proposal_received",
                recipient=by,
                context={"proposal": proposal, "call": locked},
            )
    except Exception:
        # No proposal, no file: a document is never left behind without its record.
        proposal.attachment.delete(save=False)
        raise
    return proposal


def proposal_withdraw(*, proposal: Proposal, by: User) -> Proposal:
    """The team (or a coordinator) withdraws a proposal before moderation. Its reviews still
    to do are withdrawn with it; it is no longer ranked."""

    def check(locked: Proposal) -> None:
        scoring_round = _round(locked.call)
        if scoring_round is not None and scoring_round.phase in {
            ScoringRound.Phase.MODERATION,
            ScoringRound.Phase.CLOSED,
        }:
            raise TransitionNotAllowed(_("Decisions are being made: it is too late to withdraw."))

    return transition_run(
        proposal,
        "withdraw",
        by=by,
        check=check,
        effects=lambda locked: assignments_withdraw_for_proposal(proposal=locked),
    )


@dataclass(frozen=True)
class ImportResult:
    created: list[str]  # references of the proposals added
    unchanged: int  # rows already imported before


def _read_csv(content: str | bytes) -> list[dict]:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError([_("Save the file as CSV with UTF-8 encoding.")]) from None
    reader = csv.DictReader(io.StringIO(content))
    header = [(name or "").strip() for name in (reader.fieldnames or [])]
    missing = [name for name in IMPORT_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            [_("The file needs the columns: %(names)s.") % {"names": ", ".join(missing)}]
        )
    reader.fieldnames = header
    return list(reader)


def proposals_import_csv(*, call: FundingCall, by: User, content: str | bytes) -> ImportResult:
    """A coordinator imports proposals from CSV (columns IMPORT_COLUMNS, optionally
    IMPORT_OPTIONAL_COLUMNS; topics by name, separated by semicolons).

    All or nothing: any bad row refuses the whole file with a ValidationError listing one
    message per problem, "Row 4: budget must be a number" (rows counted as a spreadsheet
    shows them, the header being row 1). A row whose `id` was imported before is left as it
    is, so importing the same file again changes nothing."""
    if not has_role(by, Role.COORDINATOR):
        raise TransitionNotAllowed(_("Only coordinators can import proposals."))
    rows = _read_csv(content)
    if len(rows) > IMPORT_MAX_ROWS:
        raise ValidationError(
            [_("Import at most %(n)s proposals at a time.") % {"n": IMPORT_MAX_ROWS}]
        )
    topics = {t.name.casefold(): t for t in Topic.objects.all()}
    errors: list[str] = []
    seen: dict[str, int] = {}
    cleaned_rows = []
    for number, row in enumerate(rows, start=2):
        key = (row.get("id") or "").strip()
        row_errors = []
        if not key:
            row_errors.append(_("id is missing"))
        elif len(key) > 100:
            row_errors.append(_("id is longer than 100 characters"))
        elif key in seen:
            row_errors.append(_("id %(id)s is also on row %(row)s") % {"id": key, "row": seen[key]})
        seen.setdefault(key, number)
        cleaned, field_errors = _proposal_field_errors(call, row)
        for field, (code, _message) in field_errors.items():
            row_errors.append(_import_message(field, code))
        names = [n.strip() for n in (row.get("topics") or "").split(";") if n.strip()]
        unknown = [n for n in names if n.casefold() not in topics]
        if unknown:
            row_errors.append(_("unknown topics: %(names)s") % {"names": ", ".join(unknown)})
        for message in row_errors:
            errors.append(_("Row %(row)s: %(problem)s") % {"row": number, "problem": message})
        cleaned_rows.append((key, cleaned, [topics[n.casefold()] for n in names if not unknown]))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FundingCall.objects.select_for_update().get(pk=call.pk)
        scoring_round = _round(locked)
        if scoring_round is not None and scoring_round.phase in {
            ScoringRound.Phase.MODERATION,
            ScoringRound.Phase.CLOSED,
        }:
            raise TransitionNotAllowed(_("Decisions are being made: no more proposals."))
        existing = set(locked.proposals.exclude(import_key="").values_list("import_key", flat=True))
        created = []
        now = timezone.now()
        for key, cleaned, row_topics in cleaned_rows:
            if key in existing:
                continue
            proposal = Proposal.objects.create(
                call=locked,
                reference=_next_reference(locked),
                anonymised_summary=cleaned["full_summary"],
                import_key=key,
                submitted_by=by,
                submitted_at=now,
                **cleaned,
            )
            proposal.topics.set(row_topics)
            created.append(proposal.reference)
        if created:
            audit_record(
                actor=by,
                action="funding_call.proposals_import",
                subject=locked,
                extra={"created": created, "unchanged": len(cleaned_rows) - len(created)},
            )
    return ImportResult(created=created, unchanged=len(cleaned_rows) - len(created))


# Criteria co-design

CRITERIA_MAX = 20
SCALE_LOWEST, SCALE_HIGHEST = 0, 10
# The weight fields hold five digits, two of them decimals.
WEIGHT_LIMIT = Decimal("1000")
GUIDANCE_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 200
DESCRIPTOR_MAX_LENGTH = 500


class CriteriaChanged(TransitionNotAllowed):
    """The criteria changed after the form was drawn: saving it would undo someone's edit."""


def _weight(value, *, zero_allowed: bool) -> Decimal | None:
    """A weight as stored: finite, below WEIGHT_LIMIT, at most two decimal places, above
    zero (or zero itself, when allowed)."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount.copy_abs() >= WEIGHT_LIMIT:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    if amount < 0 or (amount == 0 and not zero_allowed):
        return None
    return amount.quantize(Decimal("0.01"))


def _criteria_cleaned(criteria, points: range) -> tuple[list[dict], dict[str, list[str]]]:
    """The criteria as they will be stored, and the problems keyed "<index>.<field>" (a
    descriptor's field is its point) or "criteria"."""
    errors: dict[str, list[str]] = {}
    cleaned = []
    if not criteria:
        errors["criteria"] = [_("Add at least one criterion.")]
    elif len(criteria) > CRITERIA_MAX:
        errors["criteria"] = [_("Keep to %(n)s criteria or fewer.") % {"n": CRITERIA_MAX}]
    seen: set[str] = set()
    for index, item in enumerate(criteria or ()):
        name = str(item.get("name") or "").strip()
        guidance = str(item.get("guidance") or "").strip()
        label = name or _("criterion %(n)s") % {"n": index + 1}
        if not name:
            errors[f"{index}.name"] = [_("Give criterion %(n)s a name.") % {"n": index + 1}]
        elif len(name) > NAME_MAX_LENGTH:
            errors[f"{index}.name"] = [
                _("Keep the name to %(n)s characters or fewer.") % {"n": NAME_MAX_LENGTH}
            ]
        elif name.casefold() in seen:
            errors[f"{index}.name"] = [
                _("Two criteria are called “%(name)s”: give each its own name.") % {"name": name}
            ]
        seen.add(name.casefold())
        if len(guidance) > GUIDANCE_MAX_LENGTH:
            errors[f"{index}.guidance"] = [
                _("Keep the guidance to %(n)s characters or fewer.") % {"n": GUIDANCE_MAX_LENGTH}
            ]
        weight = _weight(item.get("weight"), zero_allowed=False)
        if weight is None:
            errors[f"{index}.weight"] = [
                _(
                    "Give “%(name)s” a weight above 0 and below 1000, with at most 2 decimal "
                    "places, for example 1 or 1.5."
                )
                % {"name": label}
            ]
        given = {
            str(point): str(text or "").strip()
            for point, text in (item.get("descriptors") or {}).items()
        }
        descriptors = {}
        for point in points:
            text = given.get(str(point), "")
            if not text:
                errors[f"{index}.{point}"] = [
                    _("Say what a score of %(point)s means for “%(name)s”.")
                    % {"point": point, "name": label}
                ]
            elif len(text) > DESCRIPTOR_MAX_LENGTH:
                errors[f"{index}.{point}"] = [
                    _("Keep each descriptor to %(n)s characters or fewer.")
                    % {"n": DESCRIPTOR_MAX_LENGTH}
                ]
            descriptors[point] = text
        cleaned.append(
            {"name": name, "guidance": guidance, "weight": weight, "descriptors": descriptors}
        )
    return cleaned, errors


def _group_weights_cleaned(group_weights) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for group in GROUP_WEIGHT_FIELDS:
        weight = _weight((group_weights or {}).get(group, ""), zero_allowed=True)
        if weight is None:
            errors[str(group)] = [
                _("Give each group a weight from 0 to 999.99, with at most 2 decimal places.")
            ]
        cleaned[group] = weight
    if not errors and not any(cleaned.values()):
        errors["group_weights"] = [
            _("At least one group's scores must count: give it a weight above 0.")
        ]
    return cleaned, errors


def _criteria_summary(before: list[Criterion], after: list[dict]) -> dict:
    def shape(name, guidance, weight, descriptors):
        return (guidance, Decimal(weight), tuple(sorted(descriptors.items())))

    old = {
        c.name: shape(c.name, c.guidance, c.weight, {d.point: d.text for d in c.descriptors.all()})
        for c in before
    }
    new = {c["name"]: shape(**c) for c in after}
    return {
        "criteria": list(new),
        "added": [name for name in new if name not in old],
        "removed": [name for name in old if name not in new],
        "changed": [name for name in new if name in old and old[name] != new[name]],
    }


def criteria_save(
    *,
    scoring_round: ScoringRound,
    by: User,
    criteria: list[dict],
    group_weights: dict[str, object],
    scale: tuple[int, int] | None = None,
    version: str | None = None,
) -> ScoringRound:
    """A co-design panel member or a coordinator replaces the round's criteria (each a dict
    of name, guidance, weight and `descriptors`, {point: text}), its group weights (relative
    shares, {group: weight}) and, while the round is being set up, its scale.

    Only while the call is a draft and the criteria are not approved. All or nothing: every
    problem is reported at once (a ValidationError keyed "<index>.<field>", the group, or
    "criteria", "group_weights", "scale") and nothing changes. `version` is the
    `criteria_version` the form was drawn from: if the criteria have changed since, it
    refuses with CriteriaChanged rather than undo someone else's edit."""
    if not (co_designs(by, scoring_round) or has_role(by, Role.COORDINATOR)):
        raise TransitionNotAllowed(
            _("Only the co-design panel and coordinators can change the criteria.")
        )
    with transaction.atomic():
        # Locks the call's row too (the join), as criteria_approve does.
        locked = (
            ScoringRound.objects.select_related("call").select_for_update().get(pk=scoring_round.pk)
        )
        if locked.call.status != FundingCall.Status.DRAFT:
            raise TransitionNotAllowed(_("The call has opened: its criteria cannot change now."))
        if locked.criteria_status != ScoringRound.CriteriaStatus.DRAFTING:
            raise TransitionNotAllowed(
                _("The criteria are approved. A coordinator can reopen them for changes.")
            )
        before = criteria_with_descriptors(locked)
        if version is not None and version != criteria_version(locked, before):
            raise CriteriaChanged(
                _(
                    "Someone changed these criteria while you were editing. Your changes are "
                    "below, not saved yet: check them against the latest version, then save "
                    "again."
                )
            )
        errors: dict[str, list[str]] = {}
        low, high = locked.scale_min, locked.scale_max
        if scale is not None and tuple(scale) != (low, high):
            if locked.phase != ScoringRound.Phase.SETUP:
                raise TransitionNotAllowed(
                    _("The scale can change only while the round is being set up.")
                )
            try:
                low, high = (int(point) for point in scale)
            except (TypeError, ValueError):
                low, high = 0, -1
            if not SCALE_LOWEST <= low < high <= SCALE_HIGHEST:
                errors["scale"] = [
                    _("Choose a scale between %(low)s and %(high)s, lowest score first.")
                    % {"low": SCALE_LOWEST, "high": SCALE_HIGHEST}
                ]
        # Without a valid scale, which descriptors are missing cannot be told.
        points = range(0) if "scale" in errors else range(low, high + 1)
        cleaned, criteria_errors = _criteria_cleaned(criteria, points)
        weights, weight_errors = _group_weights_cleaned(group_weights)
        errors |= criteria_errors | weight_errors
        if errors:
            raise ValidationError(errors)
        if Score.objects.filter(criterion__round=locked).exists():
            raise TransitionNotAllowed(
                _("Reviews have been scored against these criteria: they cannot change now.")
            )
        Criterion.objects.filter(round=locked).delete()
        created = Criterion.objects.bulk_create(
            Criterion(
                round=locked,
                position=position,
                name=item["name"],
                guidance=item["guidance"],
                weight=item["weight"],
            )
            for position, item in enumerate(cleaned, start=1)
        )
        Descriptor.objects.bulk_create(
            Descriptor(criterion=criterion, point=point, text=text)
            for criterion, item in zip(created, cleaned, strict=True)
            for point, text in item["descriptors"].items()
        )
        changes = {"scale_min": low, "scale_max": high}
        changes |= {GROUP_WEIGHT_FIELDS[group]: weight for group, weight in weights.items()}
        ScoringRound.objects.filter(pk=locked.pk).update(**changes)
        for field, value in changes.items():
            setattr(locked, field, value)
        audit_record(
            actor=by,
            action="scoringround.criteria_save",
            subject=locked,
            extra={
                **_criteria_summary(before, cleaned),
                "scale": [low, high],
                "group_weights": {str(group): str(weight) for group, weight in weights.items()},
            },
        )
    return locked
