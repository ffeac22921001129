"""What a client newly wrote in an email: quoted history, reply headers and signatures left out."""

import email
import email.policy
from pathlib import Path
from unittest import mock

import pytest

from cases.inbound.quoted import written_text

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "email"
MESSAGES = sorted(CORPUS.glob("*.eml"))


def parsed(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def tidy(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def html_message(html):
    message = email.message.EmailMessage()
    message["From"] = "Client <client@example.com>"
    message["Subject"] = "Re: Your request CS-7KQ-2M9-XDT"
    message.set_content(html, subtype="html")
    return parsed(bytes(message))


def test_the_corpus_covers_both_languages():
    """At least 24 messages, about as many in English as in French, each with its expected text."""
    assert len(MESSAGES) >= 24
    english = [path for path in MESSAGES if path.stem.endswith("_en")]
    french = [path for path in MESSAGES if path.stem.endswith("_fr")]
    assert len(english) >= 12 and len(french) >= 12
    assert all(path.with_suffix(".expected.txt").exists() for path in MESSAGES)


@pytest.mark.parametrize("path", MESSAGES, ids=lambda path: path.stem)
def test_new_text_is_what_the_client_wrote(path):
    """Each corpus message gives exactly the text in its .expected.txt."""
    expected = path.with_suffix(".expected.txt").read_text(encoding="utf-8")
    assert tidy(written_text(parsed(path.read_bytes())).new) == tidy(expected)


@pytest.mark.parametrize(
    "name, quoted",
    [
        ("gmail_top_posted_en", 'open "Business profile". Could you tell us which error message you see?'),
        ("outlook_desktop_fr", "De quel relevé s’agit-il ?"),
        ("outlook_message_origine_fr", "Votre courtier en douane a-t-il reçu une délégation ?"),
        ("outlook_web_html_only_en", "Hello Ana, please attach the commercial invoice."),
        ("thunderbird_fr", "Pourriez-vous nous envoyer le message d'erreur exact ?"),
    ],
)
def test_whole_keeps_the_quoted_history(name, quoted):
    """The whole body, for staff to read the original, still has the quoted message and signature."""
    written = written_text(parsed((CORPUS / f"{name}.eml").read_bytes()))
    assert quoted in written.whole
    assert quoted not in written.new
    assert written.new.split("\n")[0] in written.whole


def test_html_loads_nothing_and_runs_nothing():
    """Images, scripts, styles and frames of an HTML email are never fetched; no code or style becomes text."""
    html = (
        "<html><head><title>Tracking</title><style>body { background: url(http://tracker.example/bg.png) }</style>"
        '<script src="http://tracker.example/x.js"></script><script>alert("boo")</script></head>'
        '<body><p>My <b>passport</b> number is <a href="http://phish.example/login">in the file</a>.</p>'
        '<img src="http://tracker.example/pixel.gif?id=42" alt=""><iframe src="http://tracker.example/f"></iframe>'
        "<p>Line one<br>Line two</p></body></html>"
    )
    with (
        mock.patch("urllib.request.urlopen", side_effect=AssertionError("fetched")) as urlopen,
        mock.patch("socket.create_connection", side_effect=AssertionError("connected")) as connect,
        mock.patch("http.client.HTTPConnection.connect", side_effect=AssertionError("connected")) as http,
    ):
        written = written_text(html_message(html))
    assert not urlopen.called and not connect.called and not http.called
    assert written.new == "My passport number is in the file.\n\nLine one\nLine two"
    for code in ("alert", "boo", "background", "tracker", "Tracking", "http", "<"):
        assert code not in written.whole


def test_html_quoted_parts_are_cut():
    """Gmail, Outlook and Apple Mail quoted parts of an HTML body are not new text, though the whole keeps them."""
    html = (
        "<div>Fine now.</div>"
        '<div class="gmail_quote">On Monday, Support wrote:<blockquote>Gmail history</blockquote></div>'
        '<blockquote type="cite">Apple history</blockquote>'
        '<div id="appendonsend"></div><div id="divRplyFwdMsg"><b>From:</b> Support</div><p>Outlook history</p>'
    )
    written = written_text(html_message(html))
    assert written.new == "Fine now."
    for history in ("Gmail history", "Apple history", "Outlook history"):
        assert history in written.whole


def test_an_ordinary_blockquote_is_the_clients():
    """A blockquote the client typed (not a reply's cite) stays in the new text."""
    written = written_text(html_message("<p>The portal says:</p><blockquote>Access denied</blockquote>"))
    assert written.new == "The portal says:\n\nAccess denied"


def test_nothing_left_falls_back_to_the_whole():
    """A reply with nothing of the client's own keeps the whole body as new text: nothing is lost."""
    message = email.message.EmailMessage()
    message.set_content("On Tue, Dec 1, 2026 at 10:12 AM Support <s@example.com> wrote:\n> Is it fixed?\n")
    written = written_text(parsed(bytes(message)))
    assert written.new == written.whole
    assert "> Is it fixed?" in written.new


def test_a_message_without_text_gives_empty_text():
    """An email with only an attachment gives empty text rather than an error."""
    message = email.message.EmailMessage()
    message.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename="a.pdf")
    assert written_text(parsed(bytes(message))) == written_text(parsed(bytes(message)))
    assert written_text(parsed(bytes(message))).new == ""


@pytest.mark.parametrize(
    "charset, raw, expected",
    [
        ("iso-8859-1", "Référence reçue".encode("cp1252"), "Référence reçue"),
        ("iso-8859-1", "l’État, 5 €".encode("cp1252"), "l’État, 5 €"),  # Windows-1252 labelled Latin-1
        ("us-ascii", "Déjà".encode(), "Déjà"),  # UTF-8 labelled ASCII
        ("x-unknown", b"caf\xc3\xa9", "café"),
        ("utf-8", b"caf\xe9 ok", "caf\ufffd ok"),  # broken bytes are replaced, not fatal
    ],
)
def test_charsets_are_decoded_robustly(charset, raw, expected):
    """Declared, mislabelled and unknown charsets all give text; bad bytes never raise."""
    data = (
        b"From: a@example.com\nSubject: Re: CS-7KQ-2M9-XDT\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\nContent-Transfer-Encoding: 8bit\n\n" + raw
    )
    assert written_text(parsed(data)).new == expected


def test_hyphen_lists_are_kept():
    """A list the client typed with hyphens is not taken for a signature."""
    message = email.message.EmailMessage()
    message.set_content("I attached:\n- my passport\n- the invoice\n\nOn Mon, Support <s@example.com> wrote:\n> Hi\n")
    assert written_text(parsed(bytes(message))).new == "I attached:\n- my passport\n- the invoice"


def with_only_html(message):
    """The same message as an HTML-only email: its HTML alternative alone."""
    html = message.get_body(preferencelist=("html",))
    alone = email.message.EmailMessage()
    alone.set_content(html.get_content(), subtype="html")
    return parsed(bytes(alone))


ALTERNATIVES = [
    path
    for path in MESSAGES
    if (message := parsed(path.read_bytes())).get_body(preferencelist=("html",)) is not None
    and message.get_body(preferencelist=("plain",)) is not None
]


def test_the_corpus_has_html_alternatives():
    assert len(ALTERNATIVES) >= 5


@pytest.mark.parametrize("path", ALTERNATIVES, ids=lambda path: path.stem)
def test_the_html_alternative_gives_the_same_text(path):
    """Were the plain part missing, the HTML one would give the same new text."""
    expected = path.with_suffix(".expected.txt").read_text(encoding="utf-8")
    assert tidy(written_text(with_only_html(parsed(path.read_bytes()))).new) == tidy(expected)


def test_plain_text_is_preferred_to_html():
    """The text/plain part is the one read when both come."""
    message = email.message.EmailMessage()
    message.set_content("Plain words")
    message.add_alternative("<p>HTML words</p>", subtype="html")
    assert written_text(parsed(bytes(message))).whole == "Plain words"


def test_a_gmail_forward_in_html_is_kept():
    """A forward in Gmail's quote container is the client's content, not history."""
    html = (
        '<div dir="ltr">See below.<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        "---------- Forwarded message ---------<br>From: <b>CARM Client Portal</b> &lt;no-reply@example.com&gt;"
        "<br>Subject: Error<br></div><br><div>Error code E-17.</div></div></div>"
    )
    new = written_text(html_message(html)).new
    assert new.startswith("See below.\n\n---------- Forwarded message ---------\nFrom: CARM Client Portal")
    assert new.endswith("Error code E-17.")


def test_a_forward_inside_the_quoted_history_is_not_kept():
    """A forward that comes below a reply header belongs to the history the client replied to."""
    message = email.message.EmailMessage()
    message.set_content(
        "Thanks, will do.\n\nFrom: Support <s@example.com>\nSent: Monday\nTo: Client\nSubject: RE: CS-7KQ-2M9-XDT\n\n"
        "See the notice.\n\n---------- Forwarded message ---------\nFrom: Portal\n\nNotice text\n"
    )
    assert written_text(parsed(bytes(message))).new == "Thanks, will do."


def test_flowed_text_with_delsp_is_joined():
    """format=flowed; delsp=yes (Apple Mail) joins soft-broken lines without the added space."""
    data = (
        b"From: a@example.com\nSubject: Re: CS-7KQ-2M9-XDT\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
        b"The portal sh \nows an er \nror.\nNew line.\n\n> On Mon, Support wrote:\n> Quoted  \n> text\n"
    )
    written = written_text(parsed(data))
    assert written.new == "The portal shows an error.\nNew line."
    assert "> Quoted text" in written.whole


def test_an_open_head_does_not_hide_the_body():
    """HTML whose <head> is never closed still gives the body's text."""
    written = written_text(html_message('<html><head><meta charset="utf-8"><body><p>Still here</p></body></html>'))
    assert written.new == "Still here"


def test_a_line_the_client_wrote_above_a_quote_is_kept():
    """Only an "On … wrote:" attribution goes with the quote below it, not a sentence of the client's."""
    message = email.message.EmailMessage()
    message.set_content("Here is what the portal wrote:\n> Error 500\n\nWhat does it mean?\n")
    assert written_text(parsed(bytes(message))).new == "Here is what the portal wrote:\n\nWhat does it mean?"
