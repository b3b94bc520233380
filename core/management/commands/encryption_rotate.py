from django.core.management.base import BaseCommand

from core.services.encryption import encrypted_fields_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the first key in FIELD_ENCRYPTION_KEYS. "
        "Run after prepending a new key; afterwards the old key can be removed."
    )

    def handle(self, *args, **options):
        for label, count in encrypted_fields_rotate().items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
