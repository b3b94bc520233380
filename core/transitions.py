"""The state-machine spine: the one way any status in Tandem changes.

A model declares its transitions once, beside its status choices::

    class Invitation(models.Model):
        class Status(models.TextChoices): ...

        workflow = StateMachine(
            Transition("accept", source=[Status.SENT], target=Status.ACCEPTED, allowed=is_invitee),
        )

`transition_run` is the only code that writes a declared status. It locks the row, checks the
declared from-state and the actor, changes the state with a compare-and-set update (so two
racing requests cannot both win, even on SQLite where row locks do not exist), appends an
`AuditEvent`, and runs the transition's side effects inside the same transaction (emails are
outbox rows, delivered only on commit). Views, templates and the admin ask the same
declarations what may happen next (`StateMachine.permitted`); the actors are `rules`
predicates, shared with each app's rules.py.

Relations that grant access to someone else's data (who coordinates a panel, who belongs to
it) are declared with `GrantsAccess`; like statuses, they change only through services. A test
walks every declaration and proves no generic form or admin view can write them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import rules
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services.audit import audit_record


class TransitionNotAllowed(Exception):
    """The change cannot happen now (wrong state, wrong person, unmet condition). The message
    is written for people and may be shown as it is."""


@dataclass(frozen=True)
class Transition:
    """One declared change: from any of `source` to `target` (or to one of several targets the
    service chooses), done by someone for whom `allowed(user, obj)` is true, or by the system
    (a periodic job, `by=None`) when `system` is set."""

    name: str
    source: Iterable[str]
    target: str | Iterable[str]
    allowed: rules.Predicate | None = None
    system: bool = False
    targets: frozenset[str] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "source", frozenset(self.source))
        targets = [self.target] if isinstance(self.target, str) else list(self.target)
        object.__setattr__(self, "targets", frozenset(targets))
        object.__setattr__(self, "target", targets[0])


# The model's main machine (its first declared, normally on `status`), and every machine of
# each model: a model may declare more than one, each on its own field, with transition names
# unique across them (a scoring round has its phase and its criteria's approval).
_machines: dict[type[models.Model], "StateMachine"] = {}
_all_machines: dict[type[models.Model], list["StateMachine"]] = {}
_access_relations: dict[type[models.Model], "GrantsAccess"] = {}


class StateMachine:
    """The declared transitions of one model's status field."""

    def __init__(self, *transitions: Transition, field: str = "status", stamp: str | None = None):
        self.field = field
        # A timestamp field set to "now" on every transition, if the model keeps one.
        self.stamp = stamp
        self.transitions = {transition.name: transition for transition in transitions}

    def contribute_to_class(self, cls, name):
        setattr(cls, name, self)
        if not cls._meta.abstract:
            self.model = cls
            machines = [m for m in _all_machines.get(cls, []) if m.field != self.field]
            for other in machines:
                repeated = set(other.transitions) & set(self.transitions)
                if repeated:
                    raise ValueError(f"{cls.__name__}: transitions declared twice: {repeated}")
            _all_machines[cls] = [*machines, self]
            if _machines.get(cls) is None or _machines[cls].field == self.field:
                _machines[cls] = self

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def state_allows(self, obj, name: str) -> bool:
        return getattr(obj, self.field) in self[name].source

    def actor_allows(self, user, obj, name: str) -> bool:
        transition = self[name]
        if user is None:
            return transition.system
        return transition.allowed is not None and bool(transition.allowed.test(user, obj))

    def permits(self, user, obj, name: str) -> bool:
        return self.state_allows(obj, name) and self.actor_allows(user, obj, name)

    def permitted(self, user, obj) -> frozenset[str]:
        """The transitions this person may run on this object now: what buttons may show."""
        return frozenset(name for name in self.transitions if self.permits(user, obj, name))

    @property
    def guarded_fields(self) -> frozenset[str]:
        return frozenset(f for f in (self.field, self.stamp) if f)


class GrantsAccess:
    """Declares relations that open other people's data to someone (e.g. a panel's
    coordinators see its members' access needs). They change only through services that check
    who may do it and write an audit row. `all_fields=True` guards the whole model."""

    def __init__(self, *relations: str, all_fields: bool = False):
        self.relations = frozenset(relations)
        self.all_fields = all_fields

    def contribute_to_class(self, cls, name):
        setattr(cls, name, self)
        if not cls._meta.abstract:
            _access_relations[cls] = self

    def fields(self, model: type[models.Model]) -> frozenset[str]:
        if self.all_fields:
            return frozenset(f.name for f in model._meta.get_fields() if not f.auto_created)
        return self.relations


def machine_for(model: type[models.Model], transition: str | None = None) -> StateMachine:
    """The model's main machine, or the one of its machines that declares `transition`."""
    if transition is not None:
        for machine in _all_machines.get(model, []):
            if transition in machine.transitions:
                return machine
    return _machines[model]


def state_machines() -> dict[type[models.Model], StateMachine]:
    return dict(_machines)


def guarded_fields(model: type[models.Model]) -> frozenset[str]:
    """Every field of `model` that only declared transitions or access services may write."""
    machines = _all_machines.get(model) or ([_machines[model]] if model in _machines else [])
    access = _access_relations.get(model)
    fields = frozenset().union(*(machine.guarded_fields for machine in machines))
    return fields | (access.fields(model) if access else frozenset())


def guarded_models() -> set[type[models.Model]]:
    return set(_machines) | set(_access_relations)


def _refuse_state(obj, machine: StateMachine) -> TransitionNotAllowed:
    display = getattr(obj, f"get_{machine.field}_display", lambda: getattr(obj, machine.field))
    return TransitionNotAllowed(
        _("That cannot be done while the status is '%(status)s'.") % {"status": display()}
    )


def transition_run(
    instance: models.Model,
    name: str,
    *,
    by,
    to: str | Callable[[models.Model], str] | None = None,
    check: Callable[[models.Model], None] | None = None,
    apply: Callable[[models.Model], None] | None = None,
    effects: Callable[[models.Model], None] | None = None,
    update_fields: Iterable[str] = (),
    together: Callable[[models.Model], dict] | None = None,
    note: str = "",
    extra: dict | None = None,
    queryset: models.QuerySet | None = None,
):
    """Run the declared transition `name` on `instance` for `by` (a user, or None for the
    system) and return the locked, updated object.

    Inside one transaction: lock the row; refuse unless its current state is a declared source
    and `by` is allowed; `check(obj)` may refuse with TransitionNotAllowed on other conditions
    (it sees the locked row); choose the target (`to`, a state or a function of the locked
    object, must be a declared target); `apply(obj)` may change more fields (listed in
    `update_fields`); the state moves by compare-and-set, with the fields `together(obj)`
    returns (those a constraint ties to the state: a paid item has a payment date); an
    AuditEvent is appended with `note` (encrypted) and `extra`; `effects(obj)` writes what
    follows (outbox emails, related rows), all committed together or not at all."""
    model = type(instance)
    machine = machine_for(model, name)
    transition = machine[name]
    with transaction.atomic():
        manager = queryset if queryset is not None else model._default_manager
        obj = manager.select_for_update().get(pk=instance.pk)
        from_state = getattr(obj, machine.field)
        if from_state not in transition.source:
            raise _refuse_state(obj, machine)
        if not machine.actor_allows(by, obj, name):
            raise TransitionNotAllowed(_("You cannot do that."))
        if check is not None:
            check(obj)
        target = to(obj) if callable(to) else (to or transition.target)
        if target not in transition.targets:
            raise ValueError(f"{model.__name__}.{name} cannot lead to '{target}'")
        # Compare-and-set: only the request that still sees the old state may move it.
        changes = {**(together(obj) if together is not None else {}), machine.field: target}
        if machine.stamp:
            changes[machine.stamp] = timezone.now()
        if not model._default_manager.filter(pk=obj.pk, **{machine.field: from_state}).update(
            **changes
        ):
            raise _refuse_state(obj, machine)
        for attname, value in changes.items():
            setattr(obj, attname, value)
        if apply is not None:
            apply(obj)
        fields = list(update_fields)
        if fields:
            obj.save(update_fields=fields)
        audit_record(
            actor=by,
            action=f"{model._meta.model_name}.{name}",
            subject=obj,
            from_state=from_state,
            to_state=target,
            note=note,
            extra=extra,
        )
        if effects is not None:
            effects(obj)
    return obj
