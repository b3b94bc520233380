"""Names cannot carry invisible control or formatting characters (a right-to-left override
would let one name pass for another in staff lists), but joiners that some scripts need stay.
The engagement forms and models use the same validator, so they are covered here too."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from accounts.models import User
from core.validators import validate_name_characters
from engagement.forms import AboutForm, CreditForm, PaymentForm
from engagement.models import ExpertProfile, Language, Panel, Topic
from payments.eligibility import Benefits, RightToWork
from payments.models import PaymentMethod
from tests.factories import UserFactory

MESSAGE = (
    "Remove the hidden formatting characters from this name. They often come from copying "
    "and pasting: try typing the name instead."
)
SPOOFED = "Ana\u202eatnioJ"  # shows as "AnaJointa": the override reverses what follows

HIDDEN = [
    SPOOFED,
    "Ana\u2066Maria\u2069",  # left-to-right isolate
    "Ana\u200bMaria",  # zero-width space
    "Ana\u00adMaria",  # soft hyphen
    "\ufeffAna",  # byte order mark
    "Ana\nMaria",
    "Ana\tMaria",
    "Ana\x00",
    "\u200dAna",  # a joiner at the start joins nothing
    "Ana\u200c",
    "Ana \u200d Maria",  # nor does one beside a space
    "12\u200c34",
]
ALLOWED = [
    "Ana-Maria O'Brien",
    "Zoë",
    "李小龙",
    "فاطمة",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: a non-joiner between letters
    "\u0915\u094d\u200d\u0937",  # Devanagari: a joiner after a virama (a combining mark)
    "River 2",
]


@pytest.mark.parametrize("name", HIDDEN)
def test_hidden_characters_are_refused(name):
    with pytest.raises(ValidationError) as error:
        validate_name_characters(name)

    assert error.value.messages == [MESSAGE]
    assert error.value.code == "hidden_characters"


@pytest.mark.parametrize("name", ALLOWED)
def test_names_in_any_script_are_accepted(name):
    assert validate_name_characters(name) is None


SIGNUP = {
    "email": "new.adviser@tandem.test",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


@pytest.mark.django_db
def test_signup_refuses_a_display_name_with_a_direction_override(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": SPOOFED})

    assert response.status_code == 200
    assert escape(MESSAGE) in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_accepts_a_persian_name_with_a_non_joiner(client):
    name = ALLOWED[4]

    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": name})

    assert response.status_code == 302
    assert User.objects.get().display_name == name


@pytest.mark.django_db
def test_the_admin_refuses_a_display_name_with_hidden_characters(client):
    admin = UserFactory(is_superuser=True, mfa=True)
    client.force_login(admin)

    response = client.post(
        "/admin/users/new/",
        {"email": "someone@tandem.test", "display_name": SPOOFED, "preferred_language": "en"},
    )
    edit = client.post(
        f"/admin/users/edit/{admin.pk}/",
        {
            "email": admin.email,
            "display_name": SPOOFED,
            "preferred_language": "en",
            "is_active": "on",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 200
    assert escape(MESSAGE) in response.content.decode()
    assert edit.status_code == 200
    assert escape(MESSAGE) in edit.content.decode()
    assert list(User.objects.values_list("display_name", flat=True)) == [admin.display_name]


@pytest.mark.django_db
def test_expert_forms_refuse_hidden_characters_in_every_name():
    about = AboutForm(data={"display_name": SPOOFED, "region": "london"})
    credit = CreditForm(
        data={"credit_preference": ExpertProfile.Credit.FULL_NAME, "credit_name": SPOOFED}
    )
    payment = PaymentForm(
        data={
            "payment_method": PaymentMethod.BANK_TRANSFER,
            "legal_name": SPOOFED,
            "right_to_work": RightToWork.YES,
            "means_tested_benefits": Benefits.NO,
        }
    )

    # One message each: a refused name is not also reported as missing.
    assert about.errors["display_name"] == [MESSAGE]
    assert credit.errors["credit_name"] == [MESSAGE]
    assert payment.errors["legal_name"] == [MESSAGE]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("record", "field"),
    [
        (lambda: Topic(name=SPOOFED), "name"),
        (lambda: Language(code="xx", name=SPOOFED), "name"),
        (lambda: Panel(name=SPOOFED), "name"),
        (lambda: User(email="a@tandem.test", display_name=SPOOFED, password="!"), "display_name"),
    ],
    ids=["topic", "language", "panel", "user"],
)
def test_named_records_refuse_hidden_characters(record, field):
    with pytest.raises(ValidationError) as error:
        record().full_clean()

    assert error.value.message_dict == {field: [MESSAGE]}
