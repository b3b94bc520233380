import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection

from accounts.models import User
from engagement.models import ExpertProfile, SensitiveAccess
from payments.models import Honorarium
from tests.engagement.onboarding_data import (
    ACCESS_OTHER,
    CREDIT_NAME,
    DISPLAY_NAME,
    INTERPRETER_LANGUAGE,
    LEGAL_NAME,
    NOTES,
    PRONOUNS,
    complete_onboarding,
)
from tests.factories import TEST_PASSWORD, UserFactory, coordinator, expert, finance

SENSITIVE_PLAINTEXT = [LEGAL_NAME, INTERPRETER_LANGUAGE, ACCESS_OTHER, NOTES, CREDIT_NAME]


@pytest.fixture
def onboarded(client, db, django_capture_on_commit_callbacks):
    user = UserFactory(email="wren@tandem.test", display_name="Before")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        complete_onboarding(client)
    return ExpertProfile.objects.get(user=user)


def raw_row(table: str, pk: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_sensitive_columns_never_hold_plaintext(onboarded):
    row = raw_row("engagement_expertprofile", onboarded.pk)
    stored = " ".join(str(value) for value in row.values())

    for value in [*SENSITIVE_PLAINTEXT, "right_to_work", '"yes"', "not_saying", "interpreter"]:
        assert value not in stored
    for column in [
        "legal_name",
        "access_needs",
        "right_to_work",
        "means_tested_benefits",
        "expertise_notes",
        "credit_name",
    ]:
        assert row[column].startswith("gAAAA"), column  # a Fernet token
    assert onboarded.legal_name == LEGAL_NAME
    assert onboarded.right_to_work == "yes"


def test_withdrawing_a_consent_is_recorded_and_takes_effect(client, onboarded):
    from engagement.selectors.experts import expert_list_available_for_contact

    ExpertProfile.objects.filter(pk=onboarded.pk).update(status="active")
    assert list(expert_list_available_for_contact()) == [onboarded]
    before = onboarded.consents.count()

    response = client.post(
        "/me/profile/consents/", {"data_processing": "on", "quoted": "on", "recorded": "on"}
    )

    assert response.status_code == 302
    added = onboarded.consents.order_by("pk")[before:]
    assert sorted((c.statement.kind, c.given) for c in added) == [
        ("contact", False),
        ("public_credit", False),
        ("recorded", True),
    ]
    assert list(expert_list_available_for_contact()) == []
    dashboard = client.get("/me/").content.decode()
    assert "you will be credited anonymously" in dashboard


def test_the_data_processing_consent_cannot_be_withdrawn_while_the_account_exists(
    client, onboarded
):
    response = client.post("/me/profile/consents/", {"contact": "on"})

    assert response.status_code == 200
    assert "You need to agree to this" in response.content.decode()
    assert onboarded.consents.filter(statement__kind="data_processing", given=False).count() == 0


def test_the_export_contains_every_field_the_person_entered(client, onboarded):
    response = client.get("/me/data.json")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-tandem-data.json"'
    data = json.loads(response.content)
    profile = data["expert_profile"]
    assert data["account"]["email"] == "wren@tandem.test"
    assert data["account"]["display_name"] == DISPLAY_NAME
    assert profile["pronouns"] == PRONOUNS
    assert profile["region"] == "wales"
    assert sorted(profile["languages"]) == ["Albanian", "English"]
    assert len(profile["topics"]) == 2
    assert profile["expertise_notes"] == NOTES
    assert profile["access_needs"] == {
        "needs": ["interpreter", "easy_read", "breaks"],
        "interpreter_language": INTERPRETER_LANGUAGE,
        "meeting_format": "in_person",
        "other": ACCESS_OTHER,
    }
    assert profile["hours_per_month"] == 12
    assert profile["availability"] == ["weekday_evenings", "weekends"]
    assert profile["credit_preference"] == "full_name"
    assert profile["credit_name"] == CREDIT_NAME
    assert profile["legal_name"] == LEGAL_NAME
    assert profile["payment_method"] == "voucher"
    assert profile["right_to_work"] == "yes"
    assert profile["means_tested_benefits"] == "not_saying"
    given = {c["statement"]: c["given"] for c in profile["consents"]}
    assert given == {
        "data_processing": True,
        "contact": True,
        "quoted": True,
        "recorded": False,
        "public_credit": True,
    }
    assert profile["status"] == "applied"


def _all_text_in_database() -> tuple[str, str]:
    """Every row of every table: as stored (raw SQL) and as the application reads it."""
    raw = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            raw.extend(str(row) for row in cursor.fetchall())
    decoded = []
    for model in apps.get_models():
        for obj in model._base_manager.all():
            decoded.extend(
                str(getattr(obj, field.attname, "")) for field in model._meta.concrete_fields
            )
    return "\n".join(raw), "\n".join(decoded)


def test_deleting_the_account_erases_personal_data_but_keeps_payment_records(
    client, onboarded, django_capture_on_commit_callbacks
):
    user = onboarded.user
    reference = onboarded.reference
    staff = finance()
    from engagement.services.privacy import sensitive_field_reveal

    sensitive_field_reveal(viewer=staff, profile=onboarded, field="legal_name")
    Honorarium.objects.create(
        payee=user,
        payee_reference=reference,
        description="Panel session",
        amount=Decimal("82.50"),
        method="voucher",
        status="paid",
        paid_at="2026-10-01T10:00:00Z",
    )

    response = client.post("/me/delete/", {"password": TEST_PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=user.pk).exists()
    raw, decoded = _all_text_in_database()
    personal = [
        "wren@tandem.test",
        DISPLAY_NAME,
        LEGAL_NAME,
        PRONOUNS,
        NOTES,
        INTERPRETER_LANGUAGE,
        ACCESS_OTHER,
        CREDIT_NAME,
    ]
    assert [value for value in personal if value in raw] == []
    assert [value for value in personal if value in decoded] == []
    payment = Honorarium.objects.get(payee_reference=reference)
    assert (payment.amount, payment.payee_id, payment.status) == (Decimal("82.50"), None, "paid")
    assert SensitiveAccess.objects.get().expert_id is None


def test_deleting_needs_the_password_and_confirmation(client, onboarded):
    response = client.post("/me/delete/", {"password": "wrong", "confirm": ""})

    assert response.status_code == 200
    content = response.content.decode()
    assert "That password is not right" in content
    assert "Tick the box to confirm" in content
    assert User.objects.filter(pk=onboarded.user_id).exists()


def test_staff_views_of_sensitive_fields_are_logged_and_shown_to_the_expert(client, db):
    from engagement.models import Panel, PanelMembership

    person = expert()
    lead = coordinator(display_name="Alex Coordinator")
    money = finance(display_name="Jo Finance")
    panel = Panel.objects.create(name="P")
    panel.coordinators.add(lead)
    PanelMembership.objects.create(panel=panel, expert=person, started_on="2026-01-01")

    client.force_login(lead)
    plain = client.get(f"/admin/experts/inspect/{person.pk}/").content.decode()
    shown = client.get(f"/admin/experts/inspect/{person.pk}/?show=access_needs").content.decode()
    client.force_login(money)
    legal = client.get(f"/admin/experts/inspect/{person.pk}/?show=legal_name").content.decode()

    assert "Live captions" not in plain
    assert "Live captions in online meetings" in shown
    assert person.legal_name in legal
    logged = list(
        SensitiveAccess.objects.order_by("pk").values_list("accessor__display_name", "field")
    )
    assert logged == [("Alex Coordinator", "access_needs"), ("Jo Finance", "legal_name")]
    client.force_login(person.user)
    log_page = client.get("/me/access-log/").content.decode()
    assert "Alex Coordinator" in log_page
    assert "Access needs" in log_page
    assert "Jo Finance" in log_page


@pytest.mark.parametrize("role", ["other_expert", "researcher", "coordinator_elsewhere"])
def test_others_never_see_an_experts_private_details(client, db, role):
    person = expert(
        expertise_notes="Private note",
        legal_name="Ilinca Vasilescu-Dorn",
        access_needs={
            "needs": ["bsl"],
            "interpreter_language": "",
            "meeting_format": "online",
            "other": "Hearing loop in room 4",
        },
    )
    viewers = {
        "other_expert": lambda: expert().user,
        "researcher": lambda: UserFactory(role="Researcher"),
        "coordinator_elsewhere": lambda: coordinator(),
    }
    viewer = viewers[role]()
    client.force_login(viewer)
    secrets = ["Ilinca Vasilescu-Dorn", "Hearing loop in room 4", "Private note"]

    pages = [client.get(url) for url in ["/me/", "/me/data/", "/me/data.json", "/me/access-log/"]]
    pages += [
        client.get(f"/admin/experts/inspect/{person.pk}/?show={field}")
        for field in ["legal_name", "access_needs", "eligibility"]
    ]

    for response in pages:
        body = response.content.decode()
        assert [s for s in secrets if s in body] == [], response.wsgi_request.path
    assert [m for m in mail.outbox if person.legal_name in m.body] == []
    assert not SensitiveAccess.objects.exists()


def test_erasure_ends_every_session_that_names_the_person(client, db):
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.sessions.models import Session
    from django.test import Client

    from tests.factories import TEST_TOTP_SECRET

    # An id that reads differently in base 10 and in allauth's base 36 ("3c1"), so that a
    # comparison in the wrong encoding fails on any database.
    person = expert(user=UserFactory(pk=4321, email="kit@tandem.test"))
    encoded = user_pk_to_url_str(person.user)
    client.force_login(person.user)
    other_browser = Client()
    other_browser.force_login(person.user)
    # A sign-in waiting for its one-time code elsewhere: allauth keeps it in that session.
    TOTP.activate(person.user, TEST_TOTP_SECRET)
    Client().post("/accounts/login/", {"login": "kit@tandem.test", "password": TEST_PASSWORD})
    bystander = Client()
    bystander.force_login(expert().user)
    pending = [
        s.get_decoded()["account_login"]["user_pk"]
        for s in Session.objects.all()
        if "account_login" in s.get_decoded()
    ]
    assert (encoded, pending.count(encoded)) == ("3c1", 1)

    client.post("/me/delete/", {"password": TEST_PASSWORD, "confirm": "on"})

    remaining = [session.get_decoded() for session in Session.objects.all()]
    assert [s for s in remaining if str(s.get("_auth_user_id")) == "4321"] == []
    assert [s for s in remaining if s.get("account_login", {}).get("user_pk") == encoded] == []
    assert [s for s in remaining if "kit@tandem.test" in json.dumps(s)] == []
    assert other_browser.get("/me/").status_code == 302
    assert bystander.get("/me/").status_code == 200


PERSONAL_PAGES = [
    "/join/payment/",
    "/join/access/",
    "/join/check/",
    "/join/payment/explained/",
    "/me/",
    "/me/profile/payment/",
    "/me/profile/access/",
    "/me/access-log/",
    "/me/data/",
    "/me/data.json",
]


@pytest.mark.parametrize("path", PERSONAL_PAGES)
def test_pages_that_show_personal_data_are_never_stored(client, db, path):
    draft = expert(status="draft", payment_method="bank_transfer", right_to_work="no")
    person = expert(status="active")
    client.force_login(draft.user if path.startswith("/join/") else person.user)

    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_staff_pages_are_never_stored(client, db):
    person = expert(status="applied")
    client.force_login(finance())

    response = client.get(f"/admin/experts/inspect/{person.pk}/?show=legal_name")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_draft_application_cannot_be_opened_by_id_in_the_admin(client, db):
    draft = expert(status="draft", legal_name="Never Submitted Name")
    for staff in (coordinator(), finance()):
        client.force_login(staff)
        for query in ("", "?show=legal_name", "?show=access_needs"):
            response = client.get(f"/admin/experts/inspect/{draft.pk}/{query}")
            assert response.status_code == 404
            assert b"Never Submitted Name" not in response.content
    assert not SensitiveAccess.objects.exists()


def test_the_data_page_shows_the_same_information_in_words(client, onboarded):
    from engagement.services.privacy import sensitive_field_reveal

    sensitive_field_reveal(
        viewer=finance(display_name="Jo Finance"), profile=onboarded, field="legal_name"
    )

    page = client.get("/me/data/").content.decode()

    for value in [
        "wren@tandem.test",
        DISPLAY_NAME,
        LEGAL_NAME,
        PRONOUNS,
        NOTES,
        INTERPRETER_LANGUAGE,
        ACCESS_OTHER,
        CREDIT_NAME,
        onboarded.reference,
        "Waiting for review",
        "Jo Finance",
        'href="/me/data.json"',
    ]:
        assert value in page, value
    # Nothing empty is printed as Python's "None".
    assert re.search(r">\s*None\s*<", page) is None


def _stored_session(data: dict) -> str:
    from importlib import import_module

    from django.conf import settings

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(data)
    session.save()
    return session.session_key


def test_erasure_ends_a_waiting_sign_in_and_a_session_naming_the_address_and_no_others(db):
    from django.contrib.sessions.models import Session

    from engagement.services.privacy import account_erase

    person = expert(user=UserFactory(pk=4321, email="kit@tandem.test"))
    other = UserFactory(pk=4322, email="sam@tandem.test")
    # A sign-in waiting for its code, stored with allauth's base-36 id ("3c1") and no address.
    _stored_session({"account_login": {"user_pk": "3c1"}})
    # A session that mentions the address only, written in another case.
    _stored_session({"account_verified_email": "Kit@Tandem.TEST"})
    others_waiting = _stored_session({"account_login": {"user_pk": "3c2"}})
    others_signed_in = _stored_session({"_auth_user_id": str(other.pk)})

    account_erase(user=person.user)

    assert set(Session.objects.values_list("session_key", flat=True)) == {
        others_waiting,
        others_signed_in,
    }


def test_erasure_removes_the_admin_history_naming_the_person_and_keeps_everyone_elses(db):
    from wagtail.log_actions import log
    from wagtail.models import ModelLogEntry

    from engagement.models import ResearchTeam
    from engagement.services.privacy import account_erase

    staff = coordinator()
    person = expert(user=UserFactory(pk=4321))
    other = expert()
    # Another kind of record whose id is the same number as the person's account.
    same_number = ResearchTeam.objects.create(pk=4321, name="Safe Homes", organisation="Uni")
    for instance in (person.user, person, other.user, other, same_number):
        log(instance=instance, action="wagtail.edit", user=staff)

    account_erase(user=person.user)

    remaining = ModelLogEntry.objects.values_list("content_type__model", "object_id")
    assert sorted(remaining) == sorted(
        [
            ("user", str(other.user.pk)),
            ("expertprofile", str(other.pk)),
            ("researchteam", "4321"),
        ]
    )


def test_payment_eligibility_is_revealed_in_words_to_finance_and_the_expert_only(db):
    from django.core.exceptions import PermissionDenied

    from engagement.services.privacy import sensitive_field_reveal

    person = expert(right_to_work="not_sure", means_tested_benefits="not_saying")
    money = finance()
    in_words = {"right_to_work": "I'm not sure", "means_tested_benefits": "I'd rather not say"}

    assert sensitive_field_reveal(viewer=money, profile=person, field="eligibility") == in_words
    assert sensitive_field_reveal(viewer=person.user, profile=person, field="eligibility") == (
        in_words
    )
    with pytest.raises(PermissionDenied):
        sensitive_field_reveal(viewer=coordinator(), profile=person, field="eligibility")

    logged = SensitiveAccess.objects.values_list("accessor", "expert", "field")
    assert list(logged) == [(money.pk, person.pk, "eligibility")]
