import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError

from core import crypto
from core.models import OutboundEmail
from core.services.encryption import encrypted_fields_rotate


def raw_column(model, pk, column):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def test_encrypt_round_trips_and_is_randomised():
    first = crypto.encrypt("Ana Popescu")
    second = crypto.encrypt("Ana Popescu")

    assert first != second
    assert "Ana" not in first
    assert crypto.decrypt(first) == "Ana Popescu"


@pytest.mark.django_db
def test_encrypted_columns_hold_only_ciphertext():
    email = OutboundEmail.objects.create(
        template="t", to_address="ana@tandem.test", subject="Hi Ana", body_text="secret link"
    )

    stored = raw_column(OutboundEmail, email.pk, "body_text")

    assert "secret link" not in stored
    assert OutboundEmail.objects.get(pk=email.pk).body_text == "secret link"


@pytest.mark.django_db
def test_encrypted_fields_cannot_be_filtered_by_value():
    with pytest.raises(FieldError, match="'body_text' cannot be filtered with 'exact'"):
        list(OutboundEmail.objects.filter(body_text="secret"))


@pytest.mark.django_db
def test_rotation_re_encrypts_under_the_new_key_and_old_key_can_then_go(settings):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    email = OutboundEmail.objects.create(
        template="t", to_address="a@tandem.test", subject="s", body_text="kept safe"
    )

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    counts = encrypted_fields_rotate()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    assert counts["core.OutboundEmail"] == 1
    assert OutboundEmail.objects.get(pk=email.pk).body_text == "kept safe"


# Written by Tandem, without FIELD_ENCRYPTION_KEYS, under SECRET_KEY "a development secret key".
DEVELOPMENT_TOKEN = (
    "gAAAAABrDfOk3KWleB68haxgCfzG3dod3uzEWMhVh1SE6mtKmZQkiAI6DNeDtsOOWX0Vs1gv47F-bzC_-kJxHzhIhpCRF"
    "ZftaPhjiH-X0CoAgmQ_c1Nzaq4="
)


def test_without_keys_the_key_derived_from_the_secret_key_stays_the_same(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "a development secret key"

    # A development database written earlier stays readable after an upgrade.
    assert crypto.decrypt(DEVELOPMENT_TOKEN) == "Written before an upgrade"


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    written_before = crypto.encrypt("Ana Popescu")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    written_after = crypto.encrypt("Ana Popescu")

    assert crypto.decrypt(written_before) == "Ana Popescu"
    assert Fernet(new_key.encode()).decrypt(written_after.encode()) == b"Ana Popescu"
    assert Fernet(new_key.encode()).decrypt(crypto.rotate(written_before).encode()) == (
        b"Ana Popescu"
    )


@pytest.mark.django_db
def test_encrypted_fields_can_still_be_asked_whether_they_are_empty():
    OutboundEmail.objects.create(
        template="t", to_address="a@tandem.test", subject="s", body_text="b"
    )

    assert OutboundEmail.objects.filter(body_html__isnull=False).count() == 1
    assert OutboundEmail.objects.filter(body_html__isnull=True).count() == 0


@pytest.mark.django_db
def test_rotation_re_encrypts_every_encrypted_column_of_every_row(settings):
    from engagement.models import ExpertProfile
    from tests.factories import expert

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    people = [expert(legal_name=f"Legal Name {n}") for n in range(2)]
    OutboundEmail.objects.create(
        template="t", to_address="a@tandem.test", subject="s", body_text="b"
    )

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    counts = encrypted_fields_rotate()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    assert counts["core.OutboundEmail"] == 1
    assert counts["engagement.ExpertProfile"] == 2
    assert [ExpertProfile.objects.get(pk=p.pk).legal_name for p in people] == [
        "Legal Name 0",
        "Legal Name 1",
    ]
    assert ExpertProfile.objects.get(pk=people[0].pk).access_needs == people[0].access_needs


@pytest.mark.django_db
def test_a_serialised_record_holds_structured_answers_as_sorted_json():
    from django.core import serializers

    from tests.factories import expert

    person = expert(access_needs={"needs": ["captions"], "meeting_format": "online"})

    [record] = serializers.serialize("python", [person])

    assert record["fields"]["access_needs"] == '{"meeting_format": "online", "needs": ["captions"]}'


@pytest.mark.django_db
def test_structured_answers_may_hold_dates():
    import datetime

    from engagement.models import ExpertProfile
    from tests.factories import expert

    person = expert(access_needs={"needs": [], "review_on": datetime.date(2027, 1, 5)})

    stored = ExpertProfile.objects.get(pk=person.pk).access_needs
    assert stored == {"needs": [], "review_on": "2027-01-05"}
