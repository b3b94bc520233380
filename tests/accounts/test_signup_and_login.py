import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from core.models import OutboundEmail
from tests.factories import TEST_PASSWORD, UserFactory

SIGNUP = {
    "email": "new.adviser@tandem.test",
    "display_name": "River",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def signup(client, capture):
    with capture(execute=True):
        return client.post("/accounts/signup/", SIGNUP)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_signup_creates_an_unverified_account_and_sends_a_verification_email(
    client, django_capture_on_commit_callbacks
):
    response = signup(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.adviser@tandem.test")
    assert user.display_name == "River"
    assert EmailAddress.objects.get(user=user).verified is False
    assert not is_signed_in(client)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.adviser@tandem.test"]
    assert message.subject == "Tandem: Confirm your email address"
    assert "/accounts/confirm-email/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert OutboundEmail.objects.get().recipient == user


@pytest.mark.django_db
def test_unverified_account_cannot_sign_in_until_the_link_is_followed(
    client, django_capture_on_commit_callbacks
):
    signup(client, django_capture_on_commit_callbacks)
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    response = client.post(
        "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_signed_in(client)

    client.post(link.split("testserver", 1)[-1])
    response = client.post(
        "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert is_signed_in(client)


@pytest.mark.django_db
def test_signup_with_bad_input_shows_errors_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "not-an-email", "display_name": "", "password1": "x", "password2": "y"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_email"' in content
    assert 'href="#id_display_name"' in content
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    responses = [
        client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        for _ in range(6)
    ]

    limited = "You have tried to sign in too many times. Wait a few minutes and try again"
    assert [limited in r.content.decode() for r in responses] == [False] * 5 + [True]
    # Even the right password is refused until the limit expires.
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert limited in response.content.decode()
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_password_reset_sends_a_link_to_the_account_holder_only(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_confirming_in_the_same_browser_signs_in_and_returns_to_join(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/?next=/join/", {**SIGNUP, "next": "/join/"})
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    response = client.post(link.split("testserver", 1)[-1])

    assert response.status_code == 302
    assert response["Location"] == "/join/"
    assert is_signed_in(client)


@pytest.mark.django_db
def test_confirming_in_another_browser_does_not_sign_in(client, django_capture_on_commit_callbacks):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    other_browser = Client()

    other_browser.post(link.split("testserver", 1)[-1])

    assert "_auth_user_id" not in other_browser.session
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
