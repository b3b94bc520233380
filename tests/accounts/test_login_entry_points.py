"""Every login form mounted anywhere in the URL configuration leads to allauth's, so nobody
signs in without the one-time code, the rate limits, email verification and the production
refusal of demo accounts."""

import pytest
from django.contrib.auth.views import LoginView
from django.urls import URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory, coordinator


def login_entry_points() -> list[str]:
    """Every URL whose view is a Django LoginView (Wagtail's two are) or whose route or name
    says "login", found by walking the URL configuration."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
                continue
            view_class = getattr(pattern.callback, "view_class", None)
            is_login_view = isinstance(view_class, type) and issubclass(view_class, LoginView)
            if is_login_view or "login" in route or "login" in (pattern.name or ""):
                found.append(route)

    walk(get_resolver().url_patterns, "/")
    return sorted(set(found))


LOGIN_ENTRY_POINTS = login_entry_points()


def test_the_walk_finds_every_login_form():
    assert LOGIN_ENTRY_POINTS == [
        "/_util/login/",
        "/accounts/login/",
        "/accounts/login/code/confirm/",
        "/admin/login/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LOGIN_ENTRY_POINTS)
def test_no_login_form_opens_staff_pages_without_a_code(client, path):
    staff = coordinator()

    client.post(
        path,
        {
            "login": staff.email,
            "username": staff.email,
            "email": staff.email,
            "password": TEST_PASSWORD,
        },
    )
    response = client.get("/admin/experts/")

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/experts/"


@pytest.mark.django_db
def test_wagtails_front_end_login_is_the_allauth_login(client):
    response = client.get("/_util/login/?next=/about/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/about/"


@pytest.mark.django_db
def test_wagtails_front_end_login_does_not_let_an_unverified_address_in(client):
    person = UserFactory(role=Role.EXPERT, verified=False)

    client.post("/_util/login/", {"username": person.email, "password": TEST_PASSWORD})

    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/admin/password_reset/confirm/MQ/set-password/",
        "/admin/password_reset/complete/",
    ],
)
def test_wagtails_admin_password_reset_is_the_allauth_password_reset(client, path):
    response = client.post(path, {"email": "someone@tandem.test"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/"
