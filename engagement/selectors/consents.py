from django.db.models import OuterRef, Subquery

from engagement.models import Consent, ConsentStatement, ExpertProfile


def consent_statements_current() -> dict[str, ConsentStatement]:
    """The newest version of each kind of statement, in the order people read them."""
    newest = {}
    for statement in ConsentStatement.objects.order_by("kind", "-version"):
        newest.setdefault(statement.kind, statement)
    return {kind: newest[kind] for kind in ConsentStatement.Kind.values if kind in newest}


def consents_current_for(profile: ExpertProfile) -> dict[str, Consent]:
    """Each kind's newest consent row for this expert (absent kinds were never answered)."""
    current = {}
    for consent in profile.consents.select_related("statement").order_by("-recorded_at", "-pk"):
        current.setdefault(consent.statement.kind, consent)
    return current


def latest_consent_given(kind: str):
    """A subquery for ExpertProfile rows: whether the newest `kind` consent is 'given'."""
    return Subquery(
        Consent.objects.filter(expert=OuterRef("pk"), statement__kind=kind)
        .order_by("-recorded_at", "-pk")
        .values("given")[:1]
    )
