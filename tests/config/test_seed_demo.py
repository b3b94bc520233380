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
