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
    with pytest.raises(FieldError):
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
