"""Where expense receipts are kept: a folder of their own, outside MEDIA_ROOT, with no public
URL. Receipts are served only by permission-checked views; each file is named by a random
uuid, never by the name it was uploaded with."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

RECEIPT_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@deconstructible
class PrivateReceiptStorage(FileSystemStorage):
    """PAYMENTS_RECEIPTS_ROOT, read when used (so a test may point it elsewhere)."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PAYMENTS_RECEIPTS_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Receipts have no public URL: serve them through a checked view.")


def receipt_storage() -> PrivateReceiptStorage:
    return PrivateReceiptStorage()


def receipt_upload_to(instance, filename: str) -> str:
    # The uploaded name is ignored: it may name a person or a place.
    extension = RECEIPT_EXTENSIONS.get(instance.receipt_content_type, "bin")
    return f"{uuid.uuid4().hex}.{extension}"
