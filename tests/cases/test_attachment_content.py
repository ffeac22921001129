"""What is inside accepted files: markup anywhere in text, scripts in PDFs, formulas in CSV files for staff."""

import io
import zlib

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from cases.attachments import pdf_check
from cases.attachments.files import check_files, store_attachments
from cases.attachments.text_files import TEXT_CHUNK
from cases.models import Attachment, Case
from tests.cases.pdfs import CATALOG, CLEAN, PAGE, PAGES, build_pdf, object_stream
from tests.cases.test_contact import FORM, contact_url, form_token
from tests.conftest import localized

MB = 1024 * 1024
OPENS = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"  # the catalog, running object 4 on opening
SCRIPT = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
NOT_A_TYPE = "is not a PNG, JPEG, PDF, plain text or CSV file."
ACTIVE = (
    "“{}” is a PDF with scripts or actions that run when it is opened (JavaScript or Launch), which we do "
    "not accept. Print it to a new PDF and attach that one."
)
NOT_CHECKED = (
    "“{}” could not be checked: the PDF is damaged or protected by a password. Save it again as a PDF "
    "without a password and attach it again."
)


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name, content):
    """The one message check_files gives for the file."""
    with pytest.raises(forms.ValidationError) as error:
        check_files([upload(name, content)])
    (message,) = error.value.messages
    return message


# Markup anywhere in a text file.


@pytest.mark.parametrize(
    "content",
    [
        b"Some words.\n" * 100 + b"<script>alert(1)</script>",  # after the first KB
        b"a,b\n1,2\n" * 1_000_000 + b"3,<svg onload=alert(1)>\n",  # near the end of 8 MB of CSV
        "é".encode() * 40_000 + b"<html>",  # after characters of two bytes, past the first chunk
    ],
)
def test_markup_anywhere_in_text_is_refused(content):
    assert refusal("notes.txt", content) == f"“notes.txt” {NOT_A_TYPE}"


@pytest.mark.parametrize("split", range(1, 9))
def test_markup_split_between_two_chunks_is_found(split):
    """ "<!doctype" with its first `split` characters at the end of one chunk and the rest in the next."""
    content = b"x" * (TEXT_CHUNK - split) + b"<!DOCTYPE html>" + b"y" * 100
    assert refusal("page.txt", content) == f"“page.txt” {NOT_A_TYPE}"


def test_text_like_markup_is_still_accepted():
    """Angle brackets that open no markup a browser would sniff are text like any other."""
    (checked,) = check_files([upload("notes.txt", b"x" * TEXT_CHUNK + b"a < b and c<d; <br> <p>\n")])
    assert checked.content_type == "text/plain"


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_text_is_read_no_further_than_the_size_cap(settings):
    """An upload claiming fewer bytes than it holds is read to one byte past the cap, no more."""
    settings.ATTACHMENT_MAX_BYTES = 1 * MB
    big = upload("notes.txt", b"")
    big.file = CountingFile(b"words " * MB)
    big.size = 100
    with pytest.raises(forms.ValidationError):
        check_files([big])
    assert big.file.taken <= 8 * 1024 + MB + 1  # the signature's 8 KB, then the text to one byte past 1 MB


# Scripts in PDF files.


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(build_pdf(OPENS, PAGES, PAGE, SCRIPT), id="JavaScript on opening"),
        pytest.param(build_pdf(OPENS, PAGES, PAGE, b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"), id="#xx"),
        pytest.param(build_pdf(OPENS, PAGES, PAGE, b"<< /S /Launch /F (calc.exe) >>"), id="Launch"),
        pytest.param(build_pdf(OPENS, PAGES, PAGE, b"<< /S /#4C#61unch /F (calc.exe) >>"), id="Launch, #xx"),
        pytest.param(
            build_pdf(b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>", PAGES, PAGE, SCRIPT),
            id="document JavaScript",
        ),
        pytest.param(
            build_pdf(CATALOG, PAGES, b"<< /Type /Page /Parent 2 0 R /AA << /O 4 0 R >> >>", SCRIPT),
            id="page action",
        ),
        pytest.param(build_pdf(OPENS, PAGES, PAGE, SCRIPT, compressed=(2, 3, 4)), id="in a Flate object stream"),
        pytest.param(
            build_pdf(
                OPENS, PAGES, PAGE, SCRIPT, compressed=(2, 3, 4), object_stream_filter=b"[/ASCIIHexDecode /FlateDecode]"
            ),
            id="in an object stream of two filters",
        ),
        pytest.param(
            build_pdf(CATALOG, PAGES, PAGE, orphans=[object_stream(20, [(21, SCRIPT)])]),
            id="in an object stream no table names",
        ),
    ],
)
def test_pdfs_with_scripts_are_refused(pdf):
    assert refusal("statement.pdf", pdf) == ACTIVE.format("statement.pdf")


def test_the_refusal_is_in_french_too():
    with translation.override("fr"):
        message = refusal("relevé.pdf", build_pdf(OPENS, PAGES, PAGE, SCRIPT))
    assert message == (
        "Le fichier «\u00a0relevé.pdf\u00a0» est un PDF contenant des scripts ou des actions qui s'exécutent à son "
        "ouverture (JavaScript ou Launch), ce que nous n'acceptons pas. Imprimez-le dans un nouveau PDF et joignez "
        "ce dernier."
    )


def test_pdfs_without_scripts_are_accepted():
    """Plain PDFs, compressed content and object streams included, and a link is no script."""
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (JavaScript /JS is only text here) Tj ET")
    pdfs = [
        CLEAN,
        build_pdf(CATALOG, PAGES, PAGE, compressed=(2, 3)),
        build_pdf(
            CATALOG,
            PAGES,
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [<< /Subtype /Link /A << /S /URI >> >>] >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content),
        ),
    ]
    assert [checked.content_type for checked in check_files([upload("a.pdf", pdf) for pdf in pdfs])] == [
        "application/pdf"
    ] * 3


def password_protected():
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(b"%PDF-1.7\n" + b"\x00\x01garbage" * 100, id="damaged"),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="no cross-reference table"),
        pytest.param(password_protected(), id="password"),
        pytest.param(
            build_pdf(CATALOG, PAGES, PAGE, orphans=[object_stream(20, [(21, b"(" + b"0" * 60 * MB + b")")])]),
            id="object stream too large once decompressed",
        ),
    ],
)
def test_pdfs_that_cannot_be_checked_are_refused(pdf):
    assert refusal("scan.pdf", pdf) == NOT_CHECKED.format("scan.pdf")


def test_a_pdf_too_slow_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_check, "READ_SECONDS", -1)
    assert refusal("scan.pdf", CLEAN) == NOT_CHECKED.format("scan.pdf")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_contact_form_names_the_pdf_next_to_its_field(carm_tree, client, language):
    """The refusal is next to the field, everything typed stays, and nothing is filed."""
    url = localized(language, contact_url("importer/yes/yes/error-code/ec-1012/").removeprefix("/en"))
    pdf = SimpleUploadedFile("statement.pdf", build_pdf(OPENS, PAGES, PAGE, SCRIPT), content_type="application/pdf")
    data = {**FORM, "token": form_token(client, url), "attachments": [pdf]}
    page = client.post(url, data).content.decode()
    expected = "(JavaScript or Launch)" if language == "en" else "(JavaScript ou Launch)"
    field = page[page.index('id="id_attachments"') - 2000 : page.index('id="id_attachments"')]
    assert "statement.pdf" in field and expected in field
    assert FORM["description"] in page and not Case.objects.exists()


# Formulas in CSV files, shown to staff.


@pytest.mark.parametrize(
    "content",
    [
        b"item,amount\nfees,=SUM(B1:B9)\n",
        b"item;amount\nfees;+1\n",
        b"item,amount\n@cmd,2\n",
        b"item,amount\nfees,-2+3\n",
        b'item,amount\nfees,"\t=1"\n',
        b'item,amount\nfees,"\r=1"\n',
        b"item,amount\n" + b"fees,1\n" * 10_000 + b'late,=HYPERLINK("x")\n',  # far past the first lines
    ],
)
def test_csv_formulas_are_found(content):
    (checked,) = check_files([upload("sheet.csv", content)])
    assert checked.content_type == "text/csv" and checked.formulas is True


@pytest.mark.parametrize(
    "content, content_type",
    [
        (b"item,amount\nfees,10.50\n", "text/csv"),
        (b'item,note,more\nfees,"a=b, c+d",x\n', "text/csv"),
        (b"Plain text\n-- signed, with = and + in it\n=== not a sheet\n", "text/plain"),
    ],
)
def test_files_without_formulas_are_not_flagged(content, content_type):
    """Signs inside a cell are no formula; plain text is not opened as a sheet."""
    (checked,) = check_files([upload("sheet.csv", content)])
    assert checked.content_type == content_type and checked.formulas is False


def test_staff_see_which_files_hold_formulas(admin_client, make_case):
    """On the case page, the warning follows the link of the CSV with formulas, and no other file."""
    case = make_case()
    store_attachments(case, check_files([upload("risky.csv", b"a,b\n1,=2+2\n"), upload("plain.csv", b"a,b\n1,2\n")]))
    assert list(Attachment.objects.order_by("name").values_list("name", "formulas")) == [
        ("plain.csv", False),
        ("risky.csv", True),
    ]
    page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    risky, plain = (
        page[page.index(f">{name}</a>") : page.index("</li>", page.index(f">{name}</a>"))]
        for name in ("risky.csv", "plain.csv")
    )
    assert '<strong class="case-file-warning">contains spreadsheet formulas</strong>' in risky
    assert "formulas" not in plain
    page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "contient des formules de tableur" in page.content.decode()
