"""Setting up a funding call and its scoring round (the coordinators' admin forms).

A call's details change only while it is a draft; its co-design panel does not change once
that panel has approved the criteria. A call has one scoring round, made while the call is a
draft; the round's settings change only in its set-up phase, and the scale and the group
weights (which the co-design panel approves with the criteria) only while the criteria are
being drafted. Every change is locked, checked and audited with the names of the fields it
changed. Status and phase never change here: they are transitions (services.calls,
services.scoring)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from core.services.audit import audit_record
from core.transitions import TransitionNotAllowed
from engagement.models import FundingCall, ScoringRound

CALL_FIELDS = (
    "title",
    "slug",
    "summary",
    "eligibility",
    "budget",
    "opens_at",
    "closes_at",
    "requires_partner",
    "co_design_panel",
)
ROUND_FIELDS = (
    "scale_min",
    "scale_max",
    "rationale_required",
    "blind",
    "lived_weight",
    "academic_weight",
    "staff_weight",
    "reviewers_per_proposal",
    "lived_minimum",
    "load_cap",
    "deadline",
)
# What the co-design panel approves along with the criteria.
ROUND_APPROVED_FIELDS = frozenset(
    {"scale_min", "scale_max", "lived_weight", "academic_weight", "staff_weight"}
)


def _coordinator_only(by: User) -> None:
    if not has_role(by, Role.COORDINATOR):
        raise TransitionNotAllowed(_("Only coordinators set up funding calls."))


def _values(data: dict, names: tuple[str, ...]) -> dict:
    unknown = set(data) - set(names)
    if unknown:
        raise ValueError(f"Not settable here: {sorted(unknown)}")
    return dict(data)


def _check_call(values: dict) -> None:
    if values["closes_at"] <= values["opens_at"]:
        raise ValidationError({"closes_at": _("The call must close after it opens.")})
    if values["budget"] < 0:
        raise ValidationError({"budget": _("The budget cannot be less than zero.")})


def call_create(*, by: User, data: dict) -> FundingCall:
    """A coordinator drafts a new call (always a draft: it opens through `call_open`)."""
    _coordinator_only(by)
    values = _values(data, CALL_FIELDS)
    _check_call(values)
    taken = ValidationError({"slug": _("Another call already uses this web address.")})
    if FundingCall.objects.filter(slug=values["slug"]).exists():
        raise taken
    try:
        with transaction.atomic():
            call = FundingCall.objects.create(**values)
            audit_record(actor=by, action="funding_call.create", subject=call)
    except IntegrityError:
        # Another call took the address since the look above.
        raise taken from None
    return call


def call_update(*, call: FundingCall, by: User, data: dict) -> FundingCall:
    """A coordinator changes a draft call's details. Refused once the call has opened, and a
    different co-design panel is refused once the criteria are approved (reopen them first)."""
    _coordinator_only(by)
    values = _values(data, CALL_FIELDS)
    _check_call(values)
    with transaction.atomic():
        locked = FundingCall.objects.select_for_update().get(pk=call.pk)
        if locked.status != FundingCall.Status.DRAFT:
            raise TransitionNotAllowed(_("The call has opened: its details cannot change now."))
        if FundingCall.objects.filter(slug=values["slug"]).exclude(pk=locked.pk).exists():
            raise ValidationError({"slug": _("Another call already uses this web address.")})
        panel = values.get("co_design_panel")
        if (
            "co_design_panel" in values
            and getattr(panel, "pk", None) != locked.co_design_panel_id
            and ScoringRound.objects.filter(
                call=locked, criteria_status=ScoringRound.CriteriaStatus.APPROVED
            ).exists()
        ):
            raise ValidationError(
                {
                    "co_design_panel": _(
                        "The panel has approved the criteria: reopen the criteria before "
                        "choosing another panel."
                    )
                }
            )
        changed = _apply(locked, values)
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                actor=by, action="funding_call.update", subject=locked, extra={"fields": changed}
            )
    return locked


def _apply(instance, values: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if getattr(instance, field.attname) != (
            getattr(value, "pk", value) if field.is_relation else value
        ):
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)


def _check_round(values: dict) -> None:
    errors = {}
    if values["scale_min"] >= values["scale_max"]:
        errors["scale_max"] = _("The highest score must be more than the lowest.")
    if values["lived_minimum"] > values["reviewers_per_proposal"]:
        errors["lived_minimum"] = _(
            "There cannot be more lived-experience reviewers than reviewers per proposal."
        )
    weights = [values["lived_weight"], values["academic_weight"], values["staff_weight"]]
    if any(weight < 0 for weight in weights) or not any(weights):
        errors["lived_weight"] = _(
            "Group weights cannot be less than zero, and at least one must be more than zero."
        )
    if errors:
        raise ValidationError(errors)


def round_create(*, call: FundingCall, by: User, data: dict) -> ScoringRound:
    """A coordinator sets up the scoring round of a draft call (one round per call)."""
    _coordinator_only(by)
    values = _values(data, ROUND_FIELDS)
    _check_round(values)
    with transaction.atomic():
        locked = FundingCall.objects.select_for_update().get(pk=call.pk)
        if locked.status != FundingCall.Status.DRAFT:
            raise TransitionNotAllowed(
                _("The call has opened: its scoring round is set up before it opens.")
            )
        if ScoringRound.objects.filter(call=locked).exists():
            raise TransitionNotAllowed(_("This call already has its scoring round."))
        scoring_round = ScoringRound.objects.create(call=locked, **values)
        audit_record(
            actor=by,
            action="scoringround.create",
            subject=scoring_round,
            extra={"call": locked.pk},
        )
    return scoring_round


def round_update(*, scoring_round: ScoringRound, by: User, data: dict) -> ScoringRound:
    """A coordinator changes the round's settings in its set-up phase. The scale and the
    group weights are refused here: the co-design panel sets them with the criteria
    (`criteria_save`), so they have one editor."""
    _coordinator_only(by)
    values = _values(data, ROUND_FIELDS)
    _check_round(values)
    with transaction.atomic():
        locked = ScoringRound.objects.select_for_update().get(pk=scoring_round.pk)
        if locked.phase != ScoringRound.Phase.SETUP:
            raise TransitionNotAllowed(
                _("The round is past its set-up: its settings cannot change now.")
            )
        changed = _apply(locked, values)
        approved = sorted(ROUND_APPROVED_FIELDS & set(changed))
        if approved:
            raise ValidationError(
                {
                    name: _(
                        "The co-design panel sets this with the criteria, in the co-design "
                        "workspace."
                    )
                    for name in approved
                }
            )
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                actor=by, action="scoringround.update", subject=locked, extra={"fields": changed}
            )
    return locked
