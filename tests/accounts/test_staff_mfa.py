from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory, coordinator
from tests.helpers import totp_code


def staff_paths() -> list[str]:
    """Every parameterless URL under /admin/, found by walking the URL configuration."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if any(char in route.lstrip("^") for char in "<(^*?[\\"):
                continue
            path = prefix + route.lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, path)
            elif isinstance(pattern, URLPattern) and path.startswith("/admin/"):
                found.append(path)

    walk(get_resolver().url_patterns, "/")
    # Signing out must always work, even before MFA is set up.
    return sorted(set(found) - {"/admin/logout/"})


STAFF_PATHS = staff_paths()


def test_the_walk_finds_the_admin_pages():
    assert {"/admin/", "/admin/pages/", "/admin/users/"} <= set(STAFF_PATHS)
    assert len(STAFF_PATHS) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FINANCE])
def test_staff_without_mfa_are_sent_to_mfa_setup_from_every_staff_page(client, role):
    client.force_login(UserFactory(role=role))

    for path in STAFF_PATHS:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/", path


@pytest.mark.django_db
def test_staff_with_mfa_reach_the_admin(client):
    client.force_login(UserFactory(role=Role.COORDINATOR, mfa=True))

    response = client.get("/admin/")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.EXPERT, Role.RESEARCHER])
def test_people_without_a_staff_role_are_refused_the_admin(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/pages/").status_code == 403


@pytest.mark.django_db
def test_the_admin_login_is_the_allauth_login(client):
    anonymous = client.get("/admin/")
    admin_login = client.get("/admin/login/?next=/admin/pages/")

    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/admin/"
    assert admin_login.status_code == 302
    assert admin_login["Location"] == "/accounts/login/?next=/admin/pages/"
    page = client.get("/accounts/login/?next=/admin/").content.decode()
    assert 'action="/accounts/login/"' in page


@pytest.mark.django_db
def test_posting_credentials_to_the_admin_login_does_not_sign_in(client):
    coordinator = UserFactory(role=Role.COORDINATOR, mfa=True)

    client.post("/admin/login/", {"username": coordinator.email, "password": TEST_PASSWORD})

    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_coordinator_sign_in_asks_for_a_one_time_code(client):
    coordinator = UserFactory(role=Role.COORDINATOR, mfa=True)

    response = client.post(
        "/accounts/login/?next=/admin/", {"login": coordinator.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(coordinator.pk)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seconds", "accepted"), [(-60, False), (-30, True), (0, True), (30, True), (60, False)]
)
def test_a_code_one_period_either_side_still_works(client, monkeypatch, seconds, accepted):
    """A code typed as it changes, or on a phone whose clock has drifted by up to 30 seconds,
    is accepted; older or newer ones are not."""
    from allauth.mfa.totp.internal import auth

    now = 1_800_000_015.0  # the middle of a period, fixed so no boundary is crossed
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: now))
    coordinator = UserFactory(role=Role.COORDINATOR, mfa=True)
    client.post("/accounts/login/", {"login": coordinator.email, "password": TEST_PASSWORD})

    client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET, at=now + seconds)}
    )

    assert ("_auth_user_id" in client.session) is accepted


def sign_in_with_code(client, user) -> None:
    client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_staff_cannot_remove_their_authenticator_app(client):
    coordinator = UserFactory(role=Role.COORDINATOR, mfa=True)
    sign_in_with_code(client, coordinator)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})

    response = client.post("/accounts/2fa/totp/deactivate/", {})

    assert response.status_code == 200
    assert "Your role needs two-factor authentication, so you cannot turn it off" in (
        response.content.decode()
    )
    assert coordinator.authenticator_set.filter(type="totp").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FINANCE])
def test_a_staff_session_that_never_passed_a_code_is_asked_for_one_on_every_staff_page(
    client, role
):
    client.force_login(UserFactory(role=role, mfa=True), mfa=False)

    for path in STAFF_PATHS:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/reauthenticate/?" + urlencode(
            {"next": path}
        ), path


@pytest.mark.django_db
def test_entering_the_code_opens_the_staff_page_that_asked_for_it(client):
    client.force_login(coordinator(), mfa=False)
    asked = client.get("/admin/experts/?status=applied")

    wrong = client.post(asked["Location"], {"code": "000000"})
    right = client.post(asked["Location"], {"code": totp_code(TEST_TOTP_SECRET)})

    assert asked["Location"] == (
        "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fexperts%2F%3Fstatus%3Dapplied"
    )
    assert wrong.status_code == 200
    assert right.status_code == 302
    assert right["Location"] == "/admin/experts/?status=applied"
    assert client.get("/admin/experts/?status=applied").status_code == 200


def without_time(records: list[dict]) -> list[dict]:
    return [{key: value for key, value in record.items() if key != "at"} for record in records]


@pytest.mark.django_db
def test_force_login_writes_the_record_a_sign_in_with_a_code_writes(client):
    staff = coordinator()
    sign_in_with_code(client, staff)
    signed_in = client.session[AUTHENTICATION_METHODS_SESSION_KEY]
    client.logout()

    client.force_login(staff)
    forced = client.session[AUTHENTICATION_METHODS_SESSION_KEY]

    code_record = {
        "method": "mfa",
        "id": staff.authenticator_set.get(type="totp").pk,
        "type": "totp",
    }
    assert without_time(signed_in) == [{"method": "password", "email": staff.email}, code_record]
    assert without_time(forced) == [code_record]
