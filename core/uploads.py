"""Checking uploaded files by what they are, never by their name or the type the browser
claims, and keeping them privately. Expense receipts and proposal attachments both use it."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

# The first bytes of each kind of file Tandem accepts.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def upload_content_type(upload) -> str | None:
    """The file's type read from its first bytes, or None if it is none of the kinds above."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT with no public URL, named by the setting `root_setting` and
    read when used (so a test may point it elsewhere). Files are served only by
    permission-checked views."""

    def __init__(self, root_setting: str, **kwargs):
        self.root_setting = root_setting
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, getattr(settings, self.root_setting))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL: serve them through a checked view.")
