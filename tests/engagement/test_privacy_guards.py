"""Legal names handed out for payment: only to someone who may see each one, and every name
Finance's export reads appears in that expert's own access log."""

import pytest

from payments.payees import legal_names_for
from payments.services.batches import batch_create, batch_export_csv
from payments.services.honoraria import honorarium_approve
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import honorarium_for, rate_card

pytestmark = pytest.mark.django_db


def test_each_name_in_a_payment_export_shows_in_that_experts_access_log(client, settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"
    rate_card()
    lead = coordinator()
    payer = finance(display_name="Jo Finance")
    first = expert(legal_name="Ilinca Vasilescu-Dorn")
    second = expert(legal_name="Tomasz Wierzbicki")
    items = [
        honorarium_approve(honorarium_id=honorarium_for(person).pk, by=lead)
        for person in (first, second)
    ]
    batch = batch_create(by=payer, honorarium_ids=[item.pk for item in items])

    export = batch_export_csv(batch_id=batch.pk, by=payer)

    assert "Ilinca Vasilescu-Dorn" in export
    assert "Tomasz Wierzbicki" in export
    for person in (first, second):
        assert list(person.sensitive_accesses.values_list("accessor__display_name", "field")) == [
            ("Jo Finance", "legal_name")
        ]
    client.force_login(first.user)
    page = client.get("/me/access-log/").content.decode()
    assert "<td>Jo Finance</td><td>Legal name</td>" in page


def test_a_legal_name_goes_only_to_someone_who_may_see_it():
    person = expert(legal_name="Ilinca Vasilescu-Dorn")
    other = expert(legal_name="Tomasz Wierzbicki")
    people = [person.user_id, other.user_id]

    own = legal_names_for(viewer=person.user, user_ids=people)
    for_a_coordinator = legal_names_for(viewer=coordinator(), user_ids=people)

    # The expert sees their own name only, and seeing it is not logged.
    assert own == {person.user_id: "Ilinca Vasilescu-Dorn"}
    assert for_a_coordinator == {}
    assert person.sensitive_accesses.count() == 0
    assert other.sensitive_accesses.count() == 0
