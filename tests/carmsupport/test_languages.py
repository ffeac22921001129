"""Every public page in English and French, under /en/ and /fr/, with a toggle that keeps the client's place."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"
STEP = "/help/carm/questions/importer/yes/yes/error-code/"
OUTCOME = STEP + "ec-1012/"
CONTACT = "/contact/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"
# Each page's address after /fr/: French words for the English ones (see tests/triage/test_french_addresses.py).
IN_FRENCH = {
    "/": "/",
    "/help/carm/": "/aide/gcra/",
    STEP: "/aide/gcra/questions/importateur/oui/oui/code-d-erreur/",
    OUTCOME: "/aide/gcra/questions/importateur/oui/oui/code-d-erreur/ec-1012/",
    CONTACT: "/nous-joindre/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/",
    "/contact/": "/nous-joindre/",
    "/status/": "/etat-demande/",
}


def toggle_of(page):
    """The address the language toggle leads to."""
    return re.search(r'<section class="language-toggle".*?(?:href|formaction)="([^"]+)"', page, re.S)[1].replace(
        "&amp;", "&"
    )


@pytest.mark.parametrize(
    "accept, expected",
    [("fr-CA,fr;q=0.9,en;q=0.5", "/fr/"), ("en-CA,en;q=0.9", "/en/"), ("de-DE", "/en/"), ("", "/en/")],
)
def test_root_goes_to_the_browsers_language(db, client, accept, expected):
    response = client.get("/", headers={"accept-language": accept} if accept else {})
    assert response.status_code == 302 and response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("old", [STEP, OUTCOME + "?helpful=no", CONTACT, "/status/", "/help/carm/"])
def test_addresses_without_a_language_go_to_the_english_page(carm_tree, client, old):
    """Links in emails sent before the French site keep working, whatever the browser prefers."""
    response = client.get(old, headers={"accept-language": "fr-CA"})
    assert response.status_code == 301 and response["Location"] == "/en" + old


@pytest.mark.parametrize("address", ["/", "/help/carm/", STEP, OUTCOME, CONTACT, "/contact/", "/status/"])
def test_each_page_in_each_language_with_its_lang_and_toggle(carm_tree, client, address):
    """<html lang> matches; the toggle leads to the same page in the other language, and back."""
    addresses = {"en": f"/en{address}", "fr": f"/fr{IN_FRENCH[address]}"}
    for language, other in (("en", "fr"), ("fr", "en")):
        page = client.get(addresses[language]).content.decode()
        assert f'<html lang="{language}">' in page
        there = toggle_of(page)
        assert there == addresses[other]
        assert toggle_of(client.get(there).content.decode()) == addresses[language]
    french = client.get(addresses["fr"]).content.decode()
    assert 'lang="en"' in french and ">English<" in french


def test_admin_speaks_the_staff_members_language(db, admin_client):
    page = admin_client.get("/admin/", headers={"accept-language": "fr-CA,fr"}).content.decode()
    with translation.override("fr"):
        index_title = escape(gettext("Help trees and cases"))
    assert '<html lang="fr"' in page and index_title in page and index_title != "Help trees and cases"
    page = admin_client.get("/admin/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en"' in page and "Help trees and cases" in page


def test_admin_index_names_every_app_and_model_in_french(db, admin_client):
    """Each app and model on the French admin index (the packages' too: django-otp, django-tasks-db,
    django-axes) has a French name, different from its English one."""

    def names(language):
        """{app label or app label.model: its name on the index}; the index sorts by name, so by language."""
        response = admin_client.get("/admin/", headers={"accept-language": language})
        found = {}
        for app in response.context["app_list"]:
            found[app["app_label"]] = str(app["name"])
            found.update({f"{app['app_label']}.{model['object_name']}": str(model["name"]) for model in app["models"]})
        return found

    english, french = names("en"), names("fr")
    assert english.keys() == french.keys() and len(english) > 20
    untranslated = [english[key] for key in english if french[key] == english[key]]
    assert not untranslated
    page = admin_client.get("/admin/", headers={"accept-language": "fr"}).content.decode()
    for leftover in ("Otp_", "Static devices", "TOTP devices", "Task Results", "Tasks Database Backend", ">Axes<"):
        assert leftover not in page


def test_contact_form_toggle_keeps_what_was_typed(carm_tree, client):
    """The toggle sends the form to the other language, which shows it as typed, with no errors and no case."""
    from cases.models import Case

    page = client.get("/en" + CONTACT).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    typed = {
        "full_name": "Anne Tremblay",
        "email": "anne@example.org",
        "telephone": "613-555-0100",
        "description": "Le code EC-1012 s'affiche.",
        "consent": "on",
        "token": token,
        "language_switch": "1",
    }
    response = client.post("/fr" + IN_FRENCH[CONTACT], typed)
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="fr">' in page
    for value in ("Anne Tremblay", "anne@example.org", "613-555-0100", "Le code EC-1012 s&#x27;affiche.", token):
        assert value in page
    assert re.search(r'name="consent"[^>]*checked', page)
    assert "error-summary" not in page and Case.objects.count() == 0
    # The French form then sends the case as usual; its page language and reply language are French.
    del typed["language_switch"]
    response = client.post("/fr" + IN_FRENCH[CONTACT], {**typed, "preferred_language": "fr"})
    assert response.status_code == 302 and response["Location"] == "/fr/nous-joindre/demande-recue/"
    case = Case.objects.get()
    assert (case.language, case.preferred_language) == ("fr", "fr")


def test_contact_form_offers_the_page_language_for_the_reply(carm_tree, client):
    page = client.get("/fr" + IN_FRENCH[CONTACT]).content.decode()
    assert re.search(r'value="fr"[^>]*checked|checked[^>]*value="fr"', page)
    page = client.get("/en" + CONTACT).content.decode()
    assert re.search(r'value="en"[^>]*checked|checked[^>]*value="en"', page)


def test_status_toggle_keeps_the_request_found(make_case, client):
    """After a lookup the result has its own address, so the toggle shows the same request in French."""
    case = make_case()
    response = client.post("/en/status/", {"reference": case.display_reference, "email": "ann@example.org"})
    assert response["Location"] == "/en/status/request/"
    page = client.get("/en/status/request/").content.decode()
    assert toggle_of(page) == "/fr/etat-demande/resultat/"
    french = client.get("/fr/etat-demande/resultat/")
    assert french["Cache-Control"].count("no-store") == 1
    with translation.override("fr"):
        assert case.display_reference in french.content.decode() and gettext("Received") in french.content.decode()
    client.session.flush()
    assert client.get("/fr/etat-demande/resultat/")["Location"] == "/fr/etat-demande/"


def test_status_form_toggle_keeps_what_was_typed(db, client):
    response = client.post(
        "/fr/etat-demande/", {"reference": "CS-7KQ", "email": "a@example.org", "language_switch": "1"}
    )
    page = response.content.decode()
    assert 'value="CS-7KQ"' in page and 'value="a@example.org"' in page and "error-summary" not in page


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="GNU gettext is not installed")
def test_french_catalogue_is_complete():
    """No message is untranslated or fuzzy in the French catalogue."""
    for flag in ("--untranslated", "--only-fuzzy"):
        found = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(CATALOGUE)], capture_output=True, text=True, check=True
        ).stdout
        entries = [line for line in found.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
        assert not entries, f"{flag}: {entries[:5]}"


def french_messages():
    """(msgid, msgstr) of every entry of the catalogue, plural forms included."""
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):

        def joined(keyword, block=block):
            parts = re.findall(rf'^{keyword} "(.*)"\n((?:".*"\n?)*)', block + "\n", re.M)
            return ["".join([first, *re.findall(r'"(.*)"', rest)]) for first, rest in parts]

        ids = joined("msgid")
        plural = joined("msgid_plural")
        strs = joined(r"msgstr(?:\[\d\])?")
        if ids and ids[0]:
            # The singular form translates msgid; the others translate msgid_plural.
            entries.extend(((plural or ids)[0] if index else ids[0], message) for index, message in enumerate(strs))
    return entries


def test_french_messages_keep_placeholders_and_typography():
    """Each translation keeps its placeholders and tags, and spaces French punctuation with a no-break space."""
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}|</?[a-zA-Z][^>]*>")
    for msgid, msgstr in french_messages():
        if not msgstr:
            continue  # the completeness test names it
        assert sorted(placeholder.findall(msgid)) == sorted(placeholder.findall(msgstr)), msgid
        prose = placeholder.sub("", msgstr)
        assert not re.search(r" [:;?!»]|« ", prose), msgstr
        assert not re.search(r"[^\s\u00a0\d][;?!](\s|$)", prose), msgstr
        assert not re.search(r"[^\s\u00a0\d]:(\s|$)", prose), msgstr
        # Hours, thousands and the first of a month: « 19 h », « 5 000 », « 1er décembre ».
        assert not re.search(r"\d h\b|\d \d{3}\b", prose), msgstr
        assert not re.search(
            r"\b1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)", prose
        )


def test_french_dates_numbers_and_hours_follow_french_typography():
    """The first of a month is « 1er », thousands are grouped with a no-break space, hours read « 19 h »."""
    from datetime import date, time

    from django.utils.formats import number_format

    from carmsupport.lengths import written_number
    from helpdesk.times import clock, weekday_date

    with translation.override("fr"):
        assert weekday_date(date(2026, 12, 1)) == "mardi 1er décembre 2026"
        assert written_number(5001) == number_format(5001, force_grouping=True) == "5\u00a0001"
        assert (clock(time(19, 0)), clock(time(7, 5))) == ("19\u00a0h", "7\u00a0h\u00a005")


@pytest.mark.parametrize("accept", ["fr-CA", "en-CA"])
def test_a_missing_address_outside_a_language_gets_one_page_in_both(db, client, accept):
    """Outside /en/ and /fr/, the 404 page reads in both languages, each part marked with its language."""
    response = client.get("/no/such/page/", headers={"accept-language": accept})
    page = response.content.decode()
    assert response.status_code == 404 and '<html lang="en">' in page
    english, french = page.split('<section lang="fr"')
    assert "Page not found" in english and "If you typed the address" in english and 'href="/en/"' in english
    assert "Page introuvable" in page.split("<h1>")[1] and '<span lang="fr">' in page
    assert "Si vous avez tapé l'adresse" in french and 'href="/fr/"' in french and "Page not found" not in french
    assert "<script" not in page
    # The Government of Canada's identity, as on every page: the signature, and the wordmark in the footer.
    assert 'src="/static/gcds/signature-en.svg" alt="Government of Canada"' in page
    assert "/ Gouvernement du Canada</span>" in page
    assert 'alt="Symbol of the Government of Canada / Symbole du gouvernement du Canada"' in page


def test_error_pages_speak_the_pages_language(carm_tree, client, monkeypatch):
    """The 404 and 500 pages of a French address are in French."""
    page = client.get("/fr/aide/gcra/questions/astronaut/").content.decode()
    assert '<html lang="fr">' in page
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("triage.views.tree_graph", broken)
    response = client.get("/fr/aide/gcra/questions/")
    assert response.status_code == 500
    page = response.content.decode()
    with translation.override("fr"):
        assert '<html lang="fr">' in page and escape(gettext("Sorry, there is a problem with the service")) in page
    assert 'href="/fr/"' in page


def test_date_modified_follows_the_content(carm_tree, client):
    """Pages without a date of their own show the last release of the published trees when it is the latest."""
    from datetime import datetime

    from django.utils import timezone

    from triage.models import Release

    Release.objects.filter(pk=carm_tree.current_release_id).update(
        published_at=timezone.make_aware(datetime(2030, 1, 2, 12, 0))
    )
    for address in ("/en/contact/", "/fr/etat-demande/", "/en/"):
        assert "<time>2030-01-02</time>" in client.get(address).content.decode()
