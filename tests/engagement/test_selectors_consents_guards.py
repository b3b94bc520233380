"""What the consent selectors return: the newest wording of each statement, in reading
order; each expert's newest answer per kind; and the dashboard's "may we contact them"
column, which reads only that expert's newest answer of that kind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.models import Consent, ConsentStatement, ExpertProfile
from engagement.selectors.consents import (
    consent_statements_current,
    consents_current_for,
    latest_consent_given,
)
from tests.factories import expert

Kind = ConsentStatement.Kind


def new_version(kind, version):
    return ConsentStatement.objects.create(
        kind=kind, version=version, title=f"{kind} v{version}", text=f"Wording {version}"
    )


def answer(profile, statement, given, *, at=None):
    consent = Consent.objects.create(expert=profile, statement=statement, given=given)
    if at is not None:
        Consent.objects.filter(pk=consent.pk).update(recorded_at=at)
        consent.refresh_from_db()
    return consent


def test_the_newest_wording_of_each_statement_in_reading_order(db):
    contact_2 = new_version(Kind.CONTACT, 2)
    contact_3 = new_version(Kind.CONTACT, 3)
    quoted_2 = new_version(Kind.QUOTED, 2)

    current = consent_statements_current()

    assert list(current) == [
        "data_processing",
        "contact",
        "quoted",
        "recorded",
        "public_credit",
    ]
    assert current["contact"] == contact_3
    assert current["quoted"] == quoted_2
    assert contact_2 not in current.values()
    assert [s.version for s in current.values()] == [1, 3, 2, 1, 1]


def test_each_kinds_newest_answer_counts(db):
    profile = expert(consents={})
    other = expert()
    statements = consent_statements_current()
    now = timezone.now()
    # Recorded out of the order of their ids: the time decides, then the id.
    withdrawn_latest = answer(profile, statements["contact"], False, at=now)
    answer(profile, statements["contact"], True, at=now - timedelta(days=2))
    answer(profile, statements["quoted"], False, at=now - timedelta(days=1))
    given_latest = answer(profile, statements["quoted"], True, at=now - timedelta(days=1))
    answer(other, statements["recorded"], True)

    current = consents_current_for(profile)

    assert current == {"contact": withdrawn_latest, "quoted": given_latest}
    assert {kind: c.given for kind, c in current.items()} == {"contact": False, "quoted": True}


def test_each_kinds_newest_answer_comes_with_its_statement_in_one_query(
    db, django_assert_num_queries
):
    profile = expert()

    with django_assert_num_queries(1):
        kinds = {kind: c.statement.version for kind, c in consents_current_for(profile).items()}

    assert kinds == dict.fromkeys(
        ["data_processing", "contact", "quoted", "recorded", "public_credit"], 1
    )


@pytest.fixture
def contact(db):
    return consent_statements_current()["contact"]


def contact_column():
    return dict(
        ExpertProfile.objects.annotate(contact=latest_consent_given(Kind.CONTACT)).values_list(
            "pk", "contact"
        )
    )


def test_the_contact_column_reads_each_experts_own_newest_contact_answer(contact):
    now = timezone.now()
    statements = consent_statements_current()
    changed_mind = expert(consents={})
    # Recorded out of the order of their ids: the time decides, then the id.
    answer(changed_mind, contact, False, at=now - timedelta(days=1))
    answer(changed_mind, contact, True, at=now - timedelta(days=3))
    answer(changed_mind, statements["quoted"], True, at=now)
    tied = expert(consents={})
    answer(tied, contact, False, at=now - timedelta(days=1))
    answer(tied, contact, True, at=now - timedelta(days=1))
    never_asked = expert(consents={})
    answer(never_asked, statements["quoted"], True, at=now)
    withdrew_later = expert(consents={})
    answer(withdrew_later, contact, False, at=now + timedelta(seconds=1))

    assert contact_column() == {
        changed_mind.pk: False,
        tied.pk: True,
        never_asked.pk: None,
        withdrew_later.pk: False,
    }
