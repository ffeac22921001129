"""The files of an email received, checked as the web form checks them (cases.attachments.files): type
from content, the same caps, names cleaned. Inline images count as files. A refused file does not stop
the message: it is listed, with why, for staff and for the automatic answer to the client."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..attachments.files import MB, check_files, display_name


def _parts(message):
    """The message's files: its attachments and inline images, never its body text."""
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        disposition = part.get_content_disposition()
        inline_image = part.get_content_maintype() == "image" and disposition != "attachment"
        if disposition == "attachment" or inline_image:
            yield part


def _in_both_languages(error: forms.ValidationError) -> dict:
    """Why a file was refused, in English and French: {"en": …, "fr": …}."""
    said = {}
    for language in ("en", "fr"):
        with translation.override(language):
            said[language] = " ".join(str(message) for message in error.messages)
    return said


def files_of(message) -> tuple[list, list[dict]]:
    """(the files that passed the checks, as CheckedFile; the refused ones, [{"name", "reason": {"en",
    "fr"}}])."""
    checked, refused, total = [], [], 0
    for number, part in enumerate(_parts(message), start=1):
        name = part.get_filename() or f"file-{number}"
        content = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(name, content, part.get_content_type())
        try:
            if len(checked) >= settings.ATTACHMENTS_PER_MESSAGE:
                raise forms.ValidationError(
                    _("Attach at most %(count)s files."), params={"count": settings.ATTACHMENTS_PER_MESSAGE}
                )
            if total + len(content) > settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE:
                raise forms.ValidationError(
                    _("The files together are larger than %(size)s MB."),
                    params={"size": settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE // MB},
                )
            (accepted,) = check_files([upload])
        except forms.ValidationError as error:
            refused.append({"name": display_name(name), "reason": _in_both_languages(error)})
            continue
        checked.append(accepted)
        total += len(content)
    return checked, refused
