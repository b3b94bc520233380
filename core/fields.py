"""Model fields whose database column only ever holds ciphertext."""

import json

from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
    """A text value encrypted at rest. It cannot be filtered on: the ciphertext is randomised."""

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"Encrypted field {self.name!r} cannot be filtered with {lookup_name!r}."
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.decode(crypto.decrypt(value))

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt(self.encode(value))

    def to_python(self, value):
        return value

    def encode(self, value) -> str:
        return str(value)

    def decode(self, plaintext: str):
        return plaintext


class EncryptedJSONField(EncryptedTextField):
    """Structured data (lists, dicts, booleans) encrypted at rest as one JSON document."""

    def encode(self, value) -> str:
        return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)

    def decode(self, plaintext: str):
        return json.loads(plaintext)

    def value_to_string(self, obj):
        return self.encode(self.value_from_object(obj))
