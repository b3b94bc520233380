from django.apps import apps
from django.db import connection, transaction

from core import crypto
from core.fields import EncryptedTextField


def encrypted_fields_rotate() -> dict[str, int]:
    """Re-encrypt every encrypted column under the newest key, reading and writing raw
    ciphertext so that plaintext never leaves this function."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        columns = [connection.ops.quote_name(f.column) for f in fields]
        rotated = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            for row in rows:
                values = [None if v is None else crypto.rotate(v) for v in row[1:]]
                assignments = ", ".join(f"{c} = %s" for c in columns)
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                    [*values, row[0]],
                )
                rotated += 1
        counts[model._meta.label] = rotated
    return counts
