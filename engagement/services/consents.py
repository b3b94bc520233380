from django.db import transaction
from django.db.models import Max

from engagement.models import Consent, ConsentStatement, ExpertProfile
from engagement.selectors.consents import consents_current_for


def consent_statement_publish(*, kind: str, title: str, text: str) -> ConsentStatement:
    """Publish new wording as the next version; earlier versions stay as they were."""
    with transaction.atomic():
        # Lock the existing versions of this kind so two publishers cannot pick one number.
        list(ConsentStatement.objects.select_for_update().filter(kind=kind).values("pk"))
        latest = ConsentStatement.objects.filter(kind=kind).aggregate(v=Max("version"))["v"]
        return ConsentStatement.objects.create(
            kind=kind, version=(latest or 0) + 1, title=title, text=text
        )


def consents_record(
    *, profile: ExpertProfile, answers: dict[str, bool], statements: dict[str, ConsentStatement]
) -> list[Consent]:
    """Append a consent row for each answer that differs from the person's current state
    (or that answers a newer version of the statement). Never edits or deletes a row."""
    current = consents_current_for(profile)
    added = []
    for kind, given in answers.items():
        statement = statements[kind]
        existing = current.get(kind)
        if existing and existing.given == given and existing.statement_id == statement.pk:
            continue
        added.append(Consent.objects.create(expert=profile, statement=statement, given=given))
    return added
