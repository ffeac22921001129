"""Attachments: types from content, safe names, private storage, inert downloads, and the upload limits."""

import io
import json
import unicodedata
from pathlib import Path

import pytest
from django import forms
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict

from carmsupport.request_limits import OversizedUpload, RequestSizeMiddleware
from cases.attachments.files import (
    AttachmentsField,
    attachment_response,
    check_files,
    delete_attachment_files,
    safe_name,
    store_attachments,
)
from cases.models import Attachment
from tests.cases.pdfs import CLEAN as PDF
from tests.cases.pdfs import pdf_of_size

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
TEXT = "Bonjour, ça ne marche pas.\nThe portal says EC-1012.\n".encode()
CSV = b"reference,status,amount\nCARM-1,open,10.50\nCARM-2,closed,3.00\n"


@pytest.fixture(autouse=True)
def attachments_storage(settings, tmp_path, monkeypatch):
    """The attachments storage in a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    storage = storages["attachments"]
    # The model's field took its storage once, when the model was defined: point it here as well.
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def messages_of(error):
    return list(error.value.messages)


def test_the_storage_override_takes_effect(attachments_storage, tmp_path):
    """Changing STORAGES resets Django's cache of storages, so the test's directory is used."""
    assert Path(attachments_storage.location) == tmp_path


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("screen.png", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("letter.pdf", PDF, "application/pdf"),
        ("notes.txt", TEXT, "text/plain"),
        ("with-bom.txt", b"\xef\xbb\xbfSome text\r\n", "text/plain"),
        ("export.csv", CSV, "text/csv"),
        ("export.txt", b"a;b;c\n1;2;3\n4;5;6\n", "text/csv"),
        ("tabs.dat", b"a\tb\n1\t2\n", "text/csv"),
        ("prose.csv", b"Hello, it fails; again.\nWhy?\n", "text/plain"),
        ("one-line.csv", b"a,b,c\n", "text/plain"),
    ],
)
def test_accepted_types_by_content(name, content, content_type):
    """PNG, JPEG, PDF, plain text and CSV are recognised from their content, whatever their name."""
    (checked,) = check_files([upload(name, content)])
    assert checked.content_type == content_type


@pytest.mark.parametrize(
    "name, content",
    [
        ("page.png", b"<!DOCTYPE html><html><body>hi</body></html>"),
        ("page.txt", b"   \n<HTML><script>alert(1)</script>"),
        ("late.txt", b"Some words first.\n" * 10 + b"<iframe src=x>"),
        ("drawing.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100),
        ("nul.txt", b"text with a \x00 byte"),
        ("escape.txt", b"text with an \x1b[31m escape"),
        ("archive.zip", b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 50),
        ("image.gif", b"GIF89a\x01\x00\x01\x00"),
        ("utf16.txt", "Bonjour".encode("utf-16")),
    ],
)
def test_other_content_is_refused(name, content):
    """Markup, programs, binary data and other types are refused, with the file named."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([upload(name, content)])
    (message,) = messages_of(error)
    assert message.startswith(f"“{name}” is not a PNG, JPEG, PDF, plain text or CSV file.")


def test_text_in_another_encoding_gets_a_hint():
    """Text saved as Windows-1252 is refused with advice to save it as UTF-8."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([upload("relevé.csv", "montant;état\n10;payé\n".encode("cp1252"))])
    assert "save it with the UTF-8 encoding" in messages_of(error)[0]


def test_an_empty_file_is_refused():
    """A file with nothing in it is refused."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([upload("empty.txt", b"")])
    assert messages_of(error) == ["“empty.txt” is empty."]


def test_a_png_named_pdf_is_stored_as_png():
    """The extension follows the content, not the client's name."""
    (checked,) = check_files([upload("scan.pdf", PNG)])
    assert checked.content_type == "image/png" and checked.name == "scan.png"


@pytest.mark.parametrize(
    "name, content_type, expected",
    [
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("..\\..\\Windows\\win.ini", "text/plain", "win.txt"),
        ("C:\\Users\\ann\\Desktop\\error.PNG", "image/png", "error.png"),
        ("photo.PNG.exe", "image/png", "photo.PNG.png"),
        ("bad\x00na\x1bme\n.txt", "text/plain", "badname.txt"),
        ("invoice\u202egnp.exe", "image/png", "invoicegnp.png"),
        ("<img src=x onerror=alert(1)>.csv", "text/csv", "img srcx onerroralert(1).csv"),
        (unicodedata.normalize("NFD", "Relevé été.pdf"), "application/pdf", "Relevé été.pdf"),
        ("report   v1.2   final", "text/plain", "report v1.2 final.txt"),
        ("  spaced  .pdf ", "application/pdf", "spaced.pdf"),
        ("..", "text/plain", "attachment.txt"),
        ("", "image/jpeg", "attachment.jpg"),
        ("???.png", "image/png", "attachment.png"),
        (".bashrc", "text/plain", "attachment.txt"),
        ("notes.", "text/plain", "notes.txt"),
        ("a" * 300 + ".txt", "text/plain", "a" * 96 + ".txt"),
    ],
)
def test_names_are_made_safe(name, content_type, expected):
    """The stored name is a bare, printable name with the detected type's extension."""
    assert safe_name(name, content_type) == expected


def test_at_most_five_files():
    """A sixth file is refused with the count."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([upload(f"{n}.png", PNG) for n in range(6)])
    assert messages_of(error) == ["Attach at most 5 files."]


def test_a_file_over_10_mb_is_refused_by_name():
    """A file of 10 MB and one byte is refused by name; the small one beside it is not mentioned."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([upload("small.png", PNG), upload("scan.pdf", b"%PDF-" + b"0" * (10 * MB - 4))])
    assert messages_of(error) == ["“scan.pdf” is larger than 10 MB."]
    checked, _small = check_files([upload("scan.pdf", pdf_of_size(10 * MB)), upload("small.png", PNG)])
    assert checked.name == "scan.pdf"


def test_an_oversized_upload_marker_is_refused():
    """What the upload handler stopped keeping counts as too large."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([OversizedUpload("huge.png", 11 * MB)])
    assert messages_of(error) == ["“huge.png” is larger than 10 MB."]


def test_files_over_25_mb_together_are_refused():
    """Three files of 9 MB are each within the limit but too large together."""
    files = [upload(f"{n}.png", PNG) for n in range(3)]
    for file in files:
        file.size = 9 * MB
    with pytest.raises(forms.ValidationError) as error:
        check_files(files)
    assert messages_of(error) == ["The files together are larger than 25 MB."]


class Unreadable:
    """An upload that fails the test if any of it is read."""

    name = "huge.pdf"
    size = 10 * MB + 1

    def read(self, *args):
        raise AssertionError("read")

    seek = chunks = open = read


def test_the_size_is_checked_before_reading():
    """A file too large is refused from its size alone."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([Unreadable()])
    assert messages_of(error) == ["“huge.pdf” is larger than 10 MB."]


class ExtractForm(forms.Form):
    files = AttachmentsField()


def test_the_form_field():
    """The field takes several files, cleans them into CheckedFile, and says what it accepts."""
    form = ExtractForm(files=MultiValueDict({"files": [upload("a.png", PNG), upload("b.csv", CSV)]}))
    assert form.is_valid()
    assert [(f.name, f.content_type) for f in form.cleaned_data["files"]] == [
        ("a.png", "image/png"),
        ("b.csv", "text/csv"),
    ]
    html = str(form["files"])
    assert "multiple" in html and 'accept="image/png,image/jpeg,application/pdf,text/plain,text/csv,' in html
    assert str(form.fields["files"].help_text) == (
        "Up to 5 files: PNG, JPEG, PDF, plain text or CSV, 10 MB each and 25 MB in all."
    )
    assert ExtractForm(data={}).is_valid()
    form = ExtractForm(files=MultiValueDict({"files": [upload("page.png", b"<html>")]}))
    assert not form.is_valid()
    assert form.errors["files"] == ["“page.png” is not a PNG, JPEG, PDF, plain text or CSV file."]


def test_stored_under_a_random_name(make_case, attachments_storage):
    """The file is saved under the model's random name, never the client's."""
    case = make_case()
    (attachment,) = store_attachments(case, check_files([upload("../../evil.png", PNG)]))
    attachment.refresh_from_db()
    assert attachment.name == "evil.png" and attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert attachment.file.name.startswith("cases/") and "evil" not in attachment.file.name
    assert attachments_storage.open(attachment.file.name).read() == PNG
    assert attachment.case == case and attachment.message is None


def test_download_headers(make_case):
    """The download is an attachment that browsers neither display, sniff, run nor keep."""
    (attachment,) = store_attachments(make_case(), check_files([upload("Relevé.csv", CSV)]))
    response = attachment_response(attachment)
    assert b"".join(response.streaming_content) == CSV
    response.close()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Relev%C3%A9.csv"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "no-referrer"


def test_deleting_removes_the_files(make_case, attachments_storage):
    """The files leave the storage with their rows; one already missing is no error."""
    case = make_case()
    first, second = store_attachments(case, check_files([upload("a.png", PNG), upload("b.txt", TEXT)]))
    attachments_storage.delete(first.file.name)
    delete_attachment_files(case)
    assert not attachments_storage.exists(second.file.name)
    assert not Attachment.objects.exists()
    assert not list(Path(attachments_storage.location).rglob("*.*")) and not any(
        p.is_file() for p in Path(attachments_storage.location).rglob("*")
    )


# The request-size middleware, on the views of tests.cases.attachment_urls.

with_test_urls = pytest.mark.urls("tests.cases.attachment_urls")


def through_middleware(request):
    """The middleware's response, and the request as the view received it (None if it did not)."""
    seen = {}

    def view(request):
        seen["request"] = request
        files = {
            f: [(u.name, u.size, isinstance(u, OversizedUpload)) for u in request.FILES.getlist(f)]
            for f in request.FILES
        }
        return HttpResponse(json.dumps({"post": request.POST.dict(), "files": files}))

    response = RequestSizeMiddleware(view)(request)
    return response, seen.get("request")


class UnreadableStream(io.RawIOBase):
    """A request body that fails the test if it is read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def unread_post(path, length):
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": UnreadableStream(),
            "CONTENT_LENGTH": str(length),
            "CONTENT_TYPE": "multipart/form-data; boundary=carmsupport",
        }
    )


@with_test_urls
def test_30_mb_is_refused_unread_where_files_are_taken(db):
    """A declared 30 MB is over the attachments' limit: 413 before any of the body is read."""
    response, reached = through_middleware(unread_post("/takes-files/", 30_000_000))
    assert response.status_code == 413 and reached is None
    page = response.content.decode()
    assert "What you sent is too large" in page and "10 MB each and 25 MB together" in page


@with_test_urls
def test_the_text_limit_stays_where_no_files_are_taken(db):
    """Without the mark, a declared 1 MB is still over the limit, unread."""
    response, reached = through_middleware(unread_post("/takes-no-files/", MB))
    assert response.status_code == 413 and reached is None
    response, reached = through_middleware(unread_post("/nowhere/", MB))
    assert response.status_code == 413 and reached is None


@with_test_urls
def test_a_file_part_is_still_refused_where_no_files_are_taken(db):
    """A small file sent to a view without the mark gets 413."""
    request = RequestFactory().post("/takes-no-files/", {"full_name": "Ann", "files": upload("a.png", PNG)})
    response, reached = through_middleware(request)
    assert response.status_code == 413 and reached is None


@with_test_urls
def test_a_small_file_reaches_a_view_that_takes_files(db):
    """On a marked view, the files and the fields arrive."""
    request = RequestFactory().post(
        "/takes-files/", {"full_name": "Ann", "files": [upload("a.png", PNG), upload("b.csv", CSV)]}
    )
    response, reached = through_middleware(request)
    assert response.status_code == 200
    assert reached.POST["full_name"] == "Ann"
    assert [(f.name, f.read()) for f in reached.FILES.getlist("files")] == [("a.png", PNG), ("b.csv", CSV)]


@with_test_urls
def test_a_file_over_10_mb_arrives_as_a_marker(db):
    """A file of 11 MB is not kept: it arrives as OversizedUpload, the small one and the fields intact."""
    big = upload("big.pdf", b"%PDF-" + b"0" * (11 * MB))
    request = RequestFactory().post(
        "/takes-files/", {"full_name": "Ann", "files": [big, upload("a.png", PNG)], "description": "It fails."}
    )
    response, reached = through_middleware(request)
    assert response.status_code == 200
    assert reached.POST.dict() == {"full_name": "Ann", "description": "It fails."}
    oversized, small = reached.FILES.getlist("files")
    assert isinstance(oversized, OversizedUpload) and oversized.name == "big.pdf" and oversized.size == 11 * MB + 5
    assert small.read() == PNG
    with pytest.raises(forms.ValidationError) as error:
        check_files(reached.FILES.getlist("files"))
    assert messages_of(error) == ["“big.pdf” is larger than 10 MB."]


@with_test_urls
def test_files_over_25_mb_together_get_413(db):
    """Files within the declared limit but over 25 MB together stop the reading with 413."""
    files = [upload(f"{n}.pdf", b"%PDF-" + b"0" * 8_750_000) for n in range(3)]
    request = RequestFactory().post("/takes-files/", {"files": files})
    assert int(request.META["CONTENT_LENGTH"]) < 25 * MB + 256 * 1024
    response, reached = through_middleware(request)
    assert response.status_code == 413 and reached is None


@with_test_urls
def test_too_many_file_parts_get_413(db):
    """Far more file parts than a form takes stop the reading with 413; a few too many reach the form."""
    request = RequestFactory().post("/takes-files/", {"files": [upload(f"{n}.png", PNG) for n in range(16)]})
    response, reached = through_middleware(request)
    assert response.status_code == 413 and reached is None
    request = RequestFactory().post("/takes-files/", {"files": [upload(f"{n}.png", PNG) for n in range(6)]})
    response, reached = through_middleware(request)
    assert response.status_code == 200 and len(reached.FILES.getlist("files")) == 6


@with_test_urls
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_mark_is_found_under_the_language_prefix(db, client, language):
    """Through the whole stack, a marked view under /en/ or /fr/ and another decorator takes files."""
    response = client.post(f"/{language}/localized/takes-files/", {"files": upload("a.png", PNG)})
    assert response.status_code == 200
    assert response.json()["files"] == [{"field": "files", "name": "a.png", "size": len(PNG), "oversized": False}]
