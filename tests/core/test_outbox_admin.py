"""Coordinators see emails the outbox gave up on (or that are stuck) and can resend them,
without ever seeing what an email says or where it goes."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.models import OutboundEmail
from tests.core.outbox_helpers import stored_email
from tests.factories import UserFactory, coordinator, finance
from tests.helpers import assert_query_count_constant


@pytest.fixture
def staff(client, db):
    user = coordinator(display_name="Alex")
    client.force_login(user)
    return user


def given_up(**fields) -> OutboundEmail:
    now = timezone.now()
    return stored_email(
        **{
            "queued_at": now - timedelta(hours=49),
            "failed_at": now - timedelta(hours=1),
            "attempts": 31,
            "last_error": "SMTPServerDisconnected",
            "to_address": "sam.secret@tandem.test",
            "subject": "Your private link",
            "body_text": "Body that only Sam may read",
            **fields,
        }
    )


def test_the_list_shows_given_up_and_stuck_emails_without_their_content(client, staff):
    sam = UserFactory(display_name="Sam", email="sam.secret@tandem.test")
    failed = given_up(recipient=sam, template="expert_activated")
    stuck = stored_email(
        template="expert_declined",
        queued_at=timezone.now() - timedelta(minutes=31),
        attempts=3,
        last_error="ConnectionRefusedError",
    )
    stored_email(template="fresh", queued_at=timezone.now() - timedelta(minutes=29))
    stored_email(
        template="delivered",
        queued_at=timezone.now() - timedelta(hours=3),
        sent_at=timezone.now(),
    )

    response = client.get("/admin/outbound-emails/")

    content = response.content.decode()
    assert response.status_code == 200
    assert [e.pk for e in response.context["object_list"]] == [stuck.pk, failed.pk]
    for shown in ("expert_activated", "expert_declined", "Sam", "31", "SMTPServerDisconnected"):
        assert shown in content
    for hidden in ("sam.secret@tandem.test", "Your private link", "only Sam may read", "fresh"):
        assert hidden not in content


def test_the_detail_page_shows_the_schedule_and_a_resend_button_but_no_content(client, staff):
    email = given_up(recipient=UserFactory(display_name="Sam"))

    response = client.get(f"/admin/outbound-emails/inspect/{email.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'action="/admin/outbound-emails/resend/{email.pk}/"' in content
    assert "retried for another 48 hours" in content
    for shown in ("Sam", "SMTPServerDisconnected", "Given up", "Next attempt"):
        assert shown in content
    for hidden in ("sam.secret@tandem.test", "Your private link", "only Sam may read"):
        assert hidden not in content


def test_resending_queues_the_email_again_and_sends_it(
    client, staff, django_capture_on_commit_callbacks
):
    email = given_up()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/outbound-emails/resend/{email.pk}/")

    email.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/outbound-emails/inspect/{email.pk}/"
    assert email.failed_at is None
    assert email.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Your private link"]
    assert ModelLogEntry.objects.get().user == staff
    page = client.get(response["Location"]).content.decode()
    assert "The email is queued to be sent again." in page
    assert f'action="/admin/outbound-emails/resend/{email.pk}/"' not in page


def test_resending_a_sent_email_is_refused_with_a_message(client, staff):
    email = given_up(failed_at=None, sent_at=timezone.now())

    response = client.post(f"/admin/outbound-emails/resend/{email.pk}/", follow=True)

    assert "This email has been sent, or is being sent right now." in response.content.decode()
    assert mail.outbox == []
    assert ModelLogEntry.objects.count() == 0


def test_finance_can_neither_list_nor_resend(client, db):
    client.force_login(finance())
    email = given_up()

    listing = client.get("/admin/outbound-emails/")
    resend = client.post(f"/admin/outbound-emails/resend/{email.pk}/")

    email.refresh_from_db()
    assert (listing.status_code, resend.status_code) == (302, 302)
    assert email.failed_at is not None
    assert mail.outbox == []


def test_the_list_makes_the_same_number_of_queries_at_any_size(client, staff):
    def grow(count):
        for _ in range(count):
            given_up(recipient=UserFactory())

    assert_query_count_constant(client, "/admin/outbound-emails/", grow, max_queries=20)
