"""Sensitive fields: each one shown only to someone who may see it, every view by someone
else logged for that expert (the admin's reveal and Finance's payment export alike), and the
eligibility answers shown as the expert gave them."""

import pytest
from django.core.exceptions import PermissionDenied

from engagement.models import Panel, PanelMembership, SensitiveAccess
from engagement.services.privacy import sensitive_field_reveal
from payments.eligibility import Benefits, RightToWork
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


def test_finance_reveals_eligibility_answers_on_the_experts_page_and_it_is_logged(client):
    person = expert(right_to_work=RightToWork.NOT_SURE, means_tested_benefits=Benefits.NOT_SAYING)
    money = finance(display_name="Jo Finance")
    client.force_login(money)

    page = client.get(f"/admin/experts/inspect/{person.pk}/?show=eligibility").content.decode()

    assert "Right to work in the UK: I&#x27;m not sure<br>" in page
    assert "Means-tested benefits: I&#x27;d rather not say</dd>" in page
    assert list(SensitiveAccess.objects.values_list("accessor", "expert", "field")) == [
        (money.pk, person.pk, "eligibility")
    ]


def test_a_reveal_checks_the_viewer_against_the_expert_and_logs_only_others():
    person = expert(legal_name="Ilinca Vasilescu-Dorn")
    lead = coordinator()
    panel = Panel.objects.create(name="Housing")
    panel.coordinators.add(lead)
    PanelMembership.objects.create(panel=panel, expert=person, started_on="2026-01-01")
    other_lead = coordinator()

    own = sensitive_field_reveal(viewer=person.user, profile=person, field="legal_name")
    needs = sensitive_field_reveal(viewer=lead, profile=person, field="access_needs")
    with pytest.raises(PermissionDenied):
        sensitive_field_reveal(viewer=other_lead, profile=person, field="access_needs")
    with pytest.raises(PermissionDenied):
        sensitive_field_reveal(viewer=lead, profile=person, field="legal_name")

    assert own == "Ilinca Vasilescu-Dorn"
    assert needs == person.access_needs
    assert list(SensitiveAccess.objects.values_list("accessor", "expert", "field")) == [
        (lead.pk, person.pk, "access_needs")
    ]
