from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User


def table_snapshot() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_site_and_a_second_run_changes_nothing(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = table_snapshot()
    passwords = dict(User.objects.values_list("email", "password"))

    call_command("seed_demo", stdout=StringIO())

    assert table_snapshot() == first
    assert dict(User.objects.values_list("email", "password")) == passwords
    for path in ["/", "/about/", "/how-we-pay/", "/safeguarding/", "/accessibility/"]:
        assert client.get(path).status_code == 200, path
    assert "JBSWY3DPEHPK3PXPTANDEMDEMO234567" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "needs_mfa"),
    [
        ("expert@example.org", False),
        ("researcher@example.org", False),
        ("coordinator@example.org", True),
        ("finance@example.org", True),
    ],
)
def test_demo_accounts_sign_in_with_the_demo_password(email, needs_mfa):
    call_command("seed_demo", stdout=StringIO())

    user = User.objects.get(email=email)

    assert user.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert Authenticator.objects.filter(user=user, type="totp").exists() is needs_mfa


@pytest.mark.django_db
def test_the_demo_has_invitations_in_every_state_and_the_demo_expert_has_one_open(client):
    from engagement.models import Invitation, Panel

    call_command("seed_demo", stdout=StringIO())

    panel = Panel.objects.get(name="Work and money advisory panel")
    assert sorted(panel.invitations.values_list("status", flat=True)) == sorted(
        ["sent", "accepted", "declined", "expired", "withdrawn", "sent", "sent", "sent", "pending"]
    )
    assert panel.invitations.outstanding().count() == panel.seats == 5
    assert panel.invitations.waitlisted().count() == 1
    (open_invitation,) = Invitation.objects.filter(expert__user__email="expert@example.org")
    assert open_invitation.status == "sent"
    client.force_login(open_invitation.expert.user)
    page = client.get("/me/").content.decode()
    assert f'href="/me/invitations/{open_invitation.pk}/"' in page
    assert client.get(f"/me/invitations/{open_invitation.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_demo_research_team_has_a_request_in_each_state(client):
    from engagement.models import AdvisoryRequest, Panel, ResearchTeam

    call_command("seed_demo", stdout=StringIO())

    team = ResearchTeam.objects.get(name="Safe Homes Study")
    researcher = User.objects.get(email="researcher@example.org")
    assert list(team.memberships.values_list("user", flat=True)) == [researcher.pk]
    assert sorted(team.requests.values_list("status", flat=True)) == sorted(
        AdvisoryRequest.Status.values
    )
    accepted = team.requests.get(status="accepted")
    panel = Panel.objects.get(request=accepted)
    members = panel.memberships.current().count()
    assert (panel.kind, panel.seats) == ("request", 4)
    assert members >= 2
    client.force_login(researcher)
    page = client.get("/me/").content.decode()
    assert f"{members} of 4 places filled" in page
    assert page.count("/requests/") >= len(AdvisoryRequest.Status.values)


@pytest.mark.django_db
def test_the_demo_has_rate_cards_and_payments_in_every_state_with_one_paid_batch(client):
    from django.utils import timezone

    from payments.models import Expense, Honorarium, LedgerEntry, PaymentBatch, RateCard

    call_command("seed_demo", stdout=StringIO())

    today = timezone.localdate()
    assert RateCard.objects.filter(effective_from__lte=today).count() == 1
    assert RateCard.objects.filter(effective_from__gt=today).count() == 1
    every_state = set(Honorarium.Status.values)
    assert set(Honorarium.objects.values_list("status", flat=True)) == every_state
    assert set(Expense.objects.values_list("status", flat=True)) == set(Expense.Status.values)
    assert Honorarium.objects.filter(payable=False).exists()
    assert sorted(PaymentBatch.objects.values_list("status", flat=True)) == ["open", "paid"]
    paid = PaymentBatch.objects.get(status="paid")
    assert paid.honoraria.count() + paid.expenses.count() >= 2
    assert all(item.status == "paid" for item in [*paid.honoraria.all(), *paid.expenses.all()])
    # Made through the services: every item has its ledger rows, creation first.
    for item in [*Honorarium.objects.all(), *Expense.objects.all()]:
        actions = [entry.action for entry in item.ledger.all()]
        assert actions[0] == "create"
        assert len(actions) == {"pending": 1, "approved": 2, "rejected": 2, "cancelled": 2,
                                "batched": 3, "paid": 4}[item.status]  # fmt: skip
    assert LedgerEntry.objects.count() > 0
    # The demo expert sees them, with a receipt they can open, and the public page the rates.
    client.force_login(User.objects.get(email="expert@example.org"))
    page = client.get("/me/payments/").content.decode()
    assert "Train ticket to the panel meeting" in page
    expense = Expense.objects.get(description="Train ticket to the panel meeting")
    assert client.get(f"/me/payments/expenses/{expense.pk}/receipt/").status_code == 200
    client.logout()
    rates = client.get("/how-we-pay/").content.decode()
    assert "£25.00 an hour" in rates
    assert "the session rate is £30.00 an hour." in rates
