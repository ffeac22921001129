"""Clients' attachments: checked by their content, named safely, stored privately, served inertly."""

import contextlib
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from filetype.types import archive, image

from carmsupport.request_limits import OversizedUpload

from ..models import Attachment, Case
from .pdf_check import PdfNotChecked, has_active_content
from .text_files import CONTROL_BYTES, csv_dialect, has_formulas, read_text

MB = 1024 * 1024
HEAD_BYTES = 8 * 1024  # enough for any signature

EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/csv": ".csv",
}
# filetype names the candidates; the exact signature confirms them (its PNG matcher reads 4 bytes only,
# its PDF matcher allows a leading BOM).
MAGIC = (image.Png(), image.Jpeg(), archive.Pdf())
SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "application/pdf": b"%PDF-"}

ACCEPT = "image/png,image/jpeg,application/pdf,text/plain,text/csv,.png,.jpg,.jpeg,.pdf,.txt,.csv"
MAX_NAME = 100


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose content is of an accepted type, with that type and a safe name to store it under;
    formulas: a CSV file with a cell a spreadsheet would run as a formula (staff are told)."""

    file: UploadedFile
    content_type: str
    name: str
    formulas: bool = False


def check_files(files):
    """The files as CheckedFile, or ValidationError with one message for each problem, naming the file."""
    files = [f for f in files if f]
    if len(files) > settings.ATTACHMENTS_PER_MESSAGE:
        raise forms.ValidationError(
            _("Attach at most %(count)s files."), code="too_many", params={"count": settings.ATTACHMENTS_PER_MESSAGE}
        )
    checked, errors = [], []
    for upload in files:
        shown = display_name(upload.name)
        # Size first, from what the upload handler counted: nothing of a file too large is read.
        if isinstance(upload, OversizedUpload) or upload.size > settings.ATTACHMENT_MAX_BYTES:
            errors.append(
                forms.ValidationError(
                    _("“%(name)s” is larger than %(size)s MB."),
                    code="file_too_large",
                    params={"name": shown, "size": settings.ATTACHMENT_MAX_BYTES // MB},
                )
            )
            continue
        if not upload.size:
            errors.append(forms.ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": shown}))
            continue
        content_type, error, formulas = examine(upload)
        if content_type is None:
            errors.append(forms.ValidationError(error, code="file_type", params={"name": shown}))
            continue
        checked.append(CheckedFile(upload, content_type, safe_name(upload.name, content_type), formulas))
    if sum(f.size for f in files) > settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE:
        errors.append(
            forms.ValidationError(
                _("The files together are larger than %(size)s MB."),
                code="total_too_large",
                params={"size": settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE // MB},
            )
        )
    if errors:
        raise forms.ValidationError(errors)
    return checked


NOT_ACCEPTED = _("“%(name)s” is not a PNG, JPEG, PDF, plain text or CSV file.")
NOT_UTF8 = _(
    "“%(name)s” is not a PNG, JPEG, PDF, plain text or CSV file. If it is text, save it with the UTF-8 "
    "encoding and attach it again."
)


PDF_ACTIVE = _(
    "“%(name)s” is a PDF with scripts or actions that run when it is opened (JavaScript or Launch), which "
    "we do not accept. Print it to a new PDF and attach that one."
)
PDF_NOT_CHECKED = _(
    "“%(name)s” could not be checked: the PDF is damaged or protected by a password. Save it again as a "
    "PDF without a password and attach it again."
)


def examine(upload):
    """(content type, None, formulas) from the file's content alone, or (None, the message saying why not,
    False). formulas: a CSV file with a cell that a spreadsheet would run as a formula."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = filetype.match(head, matchers=MAGIC)
    if kind and head.startswith(SIGNATURES[kind.mime]):
        if kind.mime == "application/pdf":
            try:
                if has_active_content(upload):
                    return None, PDF_ACTIVE, False
            except PdfNotChecked:
                return None, PDF_NOT_CHECKED, False
        return kind.mime, None, False
    try:
        sample = read_text(upload, settings.ATTACHMENT_MAX_BYTES)
    except UnicodeDecodeError:
        # Text in another encoding (often Windows-1252 from spreadsheets) gets a hint; binary does not.
        return None, NOT_ACCEPTED if CONTROL_BYTES.search(head) else NOT_UTF8, False
    except ValueError:
        return None, NOT_ACCEPTED, False
    finally:
        upload.seek(0)
    dialect = csv_dialect(sample)
    if dialect is None:
        return "text/plain", None, False
    return "text/csv", None, has_formulas(upload, dialect)


def display_name(name):
    """The client's file name as shown in messages: last path part, printable characters only."""
    name = re.split(r"[/\\]", str(name or ""))[-1]
    return "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())[:MAX_NAME]


def safe_name(name, content_type):
    """A name safe to offer for download: the last path part, letters (accented too), digits, spaces and
    -_.() only, with the extension of the detected type in place of the client's.

    Only a last part that looks like an extension (up to 10 letters or digits) is replaced, so
    "photo.PNG.exe" becomes "photo.PNG.png", "report v1.2 final" becomes "report v1.2 final.txt",
    and ".bashrc" or "???.png", all extension, become "attachment.txt" and "attachment.png".
    """
    extension = EXTENSIONS[content_type]
    name = unicodedata.normalize("NFC", re.split(r"[/\\]", str(name or ""))[-1])
    # Control and format characters (a right-to-left override could disguise ".exe") go first, unseen.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = re.sub(r"\s+", " ", name)
    name = "".join(ch for ch in name if ch in " -_.()" or unicodedata.category(ch)[0] in "LN")
    name = re.sub(r" {2,}", " ", name).strip()
    stem, dot, suffix = name.rpartition(".")
    if dot and 1 <= len(suffix) <= 10 and suffix.isalnum():
        name = stem
    # No leading dot (a hidden file) nor trailing one (Windows drops it); nothing left, a neutral name.
    stem = name.strip(" .")[: MAX_NAME - len(extension)].rstrip(" .") or "attachment"
    return stem + extension


def store_attachments(case, checked_files, message=None):
    """Saves the files in the attachments storage, under random names (the model's upload_to), and
    records them. If one fails, those already stored are removed."""
    stored = []
    try:
        for checked in checked_files:
            attachment = Attachment(
                case=case,
                message=message,
                name=checked.name,
                content_type=checked.content_type,
                size=checked.file.size,
                formulas=checked.formulas,
            )
            checked.file.seek(0)
            # The file first, so that a failure below still knows it; upload_to ignores the name given.
            attachment.file.save(checked.name, checked.file, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return stored


def attachment_response(attachment):
    """The file as a download that no browser will display, run or sniff."""
    content_type = attachment.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"  # checked to be UTF-8 when received
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response


def delete_attachment_files(queryset_or_case):
    """Deletes the stored files, then the rows, of a case's attachments or of a queryset of them.

    A file already missing is no error; files go first, so that after a failure a retry finds the rows.
    """
    if isinstance(queryset_or_case, Case):
        attachments = queryset_or_case.attachments.all()
    else:
        attachments = queryset_or_case
    for attachment in attachments:
        if attachment.file.name:
            # Storages ignore a missing file already; this covers those that do not.
            with contextlib.suppress(FileNotFoundError):
                attachment.file.storage.delete(attachment.file.name)
    attachments.delete()


def _help_text():
    return gettext(
        "Up to %(count)s files: PNG, JPEG, PDF, plain text or CSV, %(size)s MB each and %(total)s MB in all."
    ) % {
        "count": settings.ATTACHMENTS_PER_MESSAGE,
        "size": settings.ATTACHMENT_MAX_BYTES // MB,
        "total": settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE // MB,
    }


# Lazy: fields are built when forms are imported, the text is wanted in each request's language.
attachments_help_text = lazy(_help_text, str)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; cleaned into a list of CheckedFile (empty when none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("help_text", attachments_help_text())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return check_files(files)
