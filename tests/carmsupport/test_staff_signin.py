"""Staff sign in with a password and a code; repeated failures lock the sign-in; sessions end."""

import re
from base64 import b32decode
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.carmsupport.test_settings import PRODUCTION, manage
from tests.conftest import current_code, sign_in_staff

PASSWORD = "a-long-test-password"
ANOTHER_ADDRESS = "192.0.2.10"
ANY_CODE = "123456"  # with a wrong password, whatever the code
REFUSED = "The username, password or code is not right."
REFUSED_FR = "Le nom d'utilisateur, le mot de passe ou le code n'est pas valide."


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """A fast hasher: these tests check many passwords, and what they test is not the hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    user = User.objects.create_user("alice", password=PASSWORD, is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def sign_in(client, username="alice", password=PASSWORD, code="", language="en", address="127.0.0.1"):
    """Send the admin's sign-in form, as a person does."""
    data = {"username": username, "password": password, "otp_token": code, "next": "/admin/"}
    return client.post("/admin/login/?next=/admin/", data, headers={"accept-language": language}, REMOTE_ADDR=address)


def code_for(user):
    return current_code(TOTPDevice.objects.get(user=user))


def wrong_code(user):
    """A code of the app's shape that the app does not show now."""
    return "111111" if code_for(user) != "111111" else "222222"


def signed_in(client):
    return client.get("/admin/").status_code == 200


def page_as_seen(response):
    """The page without what changes on every response (form token, script nonce) or echoes the code typed."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    page = re.sub(r'nonce="[^"]*"', "", page)
    return re.sub(r'(name="otp_token") value="[^"]*"', r"\1", page)


def test_password_and_current_code_sign_in(client, alice):
    """The right password and the code the app shows now open the admin."""
    response = sign_in(client, code=code_for(alice))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in(client)


def test_sign_in_form_asks_for_the_code(client, db):
    """The sign-in page has a field for the code, with what to type in it."""
    page = client.get("/admin/login/").content.decode()
    assert 'name="otp_token"' in page and 'autocomplete="one-time-code"' in page
    assert "The 6 digits your authenticator app shows, or one of your backup codes." in page
    page = client.get("/admin/login/", headers={"accept-language": "fr-CA,fr"}).content.decode()
    assert "Les 6\u00a0chiffres" in page


@pytest.mark.parametrize("password", [PASSWORD, "wrong-password"])
def test_missing_code_is_asked_for_before_the_password_is_checked(client, alice, password):
    """Without a code the page asks for it next to the field, the same whether the password is right or not,
    and counts nothing: the password is not checked."""
    for _attempt in range(5):
        response = sign_in(client, password=password)
        assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the code from your authenticator app." in page and REFUSED not in page
    assert not signed_in(client)
    assert sign_in(client, code=code_for(alice)).status_code == 302


@pytest.mark.parametrize(("language", "message"), [("en", REFUSED), ("fr-CA,fr", REFUSED_FR)])
def test_wrong_password_and_wrong_code_give_the_same_page(client, alice, language, message):
    """A wrong password, with the right code or a wrong one, and the right password with a wrong code
    (an app's or a backup code) get the very same page: it never tells that the password was right."""
    right, wrong = code_for(alice), wrong_code(alice)
    responses = [
        sign_in(client, password="wrong-password", code=right, language=language),
        sign_in(client, password="wrong-password", code=wrong, language=language),
        sign_in(client, code=wrong, language=language),
        sign_in(client, code="abcdefgh", language=language),
    ]
    assert [response.status_code for response in responses] == [200] * 4
    pages = {page_as_seen(response) for response in responses}
    assert len(pages) == 1
    assert escape(message) in pages.pop()
    assert not signed_in(client)


def test_wrong_passwords_and_wrong_codes_count_together_towards_the_lockout(client, alice):
    """Each failure counts, whichever of the password or the code was wrong; the fifth locks."""
    right, wrong = code_for(alice), wrong_code(alice)
    statuses = [
        sign_in(client, password="wrong-password", code=right).status_code,
        sign_in(client, code=wrong).status_code,
        sign_in(client, password="wrong-password", code=wrong).status_code,
        sign_in(client, code="abcdefgh").status_code,
        sign_in(client, password="wrong-password", code=right).status_code,
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_code_with_spaces_is_accepted(client, alice):
    """A code typed in two groups, as some apps show it, is the same code."""
    code = code_for(alice)
    assert sign_in(client, code=f"{code[:3]} {code[3:]}").status_code == 302
    assert signed_in(client)


def test_staff_without_a_verified_device_cannot_reach_the_admin(client, alice):
    """Signed in with a password only (no code), staff are sent to the sign-in page."""
    client.force_login(alice)
    for url in ("/admin/", "/admin/cases/case/", "/admin/otp_totp/totpdevice/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_staff_without_any_device_get_the_same_refusal(client, db):
    """An account with no authenticator app gets the page a wrong password gets, and each try counts."""
    User.objects.create_user("bob", password=PASSWORD, is_staff=True)
    wrong_password = page_as_seen(sign_in(client, username="bob", password="wrong-password", code=ANY_CODE))
    right_password = page_as_seen(sign_in(client, username="bob", code=ANY_CODE))
    assert right_password == wrong_password and REFUSED in right_password
    statuses = [sign_in(client, username="bob", code=ANY_CODE).status_code for _attempt in range(3)]
    assert statuses == [200, 200, 429]
    assert not signed_in(client)


def test_requirement_off_signs_in_with_the_password_only(client, alice, settings):
    """With STAFF_OTP_REQUIRED off (local development), the password is enough; a code typed is still checked."""
    settings.STAFF_OTP_REQUIRED = False
    assert REFUSED in sign_in(client, code=wrong_code(alice)).content.decode()
    assert sign_in(client).status_code == 302
    assert signed_in(client)


def test_five_wrong_passwords_lock_the_sign_in(client, alice):
    """After 5 wrong passwords even the right password and code are refused, and the page says so."""
    for _attempt in range(4):
        assert sign_in(client, password="wrong-password", code=ANY_CODE).status_code == 200
    response = sign_in(client, password="wrong-password", code=ANY_CODE)
    assert response.status_code == 429
    response = sign_in(client, code=code_for(alice))
    assert response.status_code == 429 and int(response["Retry-After"]) == 3600
    page = response.content.decode()
    assert "Too many failed sign-ins for this account from this address. Try again in 60 minutes." in page
    assert "ask an administrator to unlock your account" in page
    assert not signed_in(client)


def test_lockout_page_in_french(client, alice):
    """A staff member whose browser prefers French reads the lockout in French."""
    for _attempt in range(5):
        sign_in(client, password="wrong-password", code=ANY_CODE, language="fr-CA,fr")
    response = sign_in(client, code=code_for(alice), language="fr-CA,fr")
    page = response.content.decode()
    assert response.status_code == 429 and '<html lang="fr"' in page
    assert (
        "Trop de tentatives de connexion infructueuses pour ce compte à partir de cette adresse. "
        "Réessayez dans 60\u00a0minutes." in page
    )
    assert "Connexion bloquée" in page


def test_wrong_codes_count_towards_the_lockout(client, alice):
    """Five wrong codes with the right password lock the sign-in as wrong passwords do."""
    right = code_for(alice)
    wrong = [code for code in ("111111", "222222", "333333", "444444", "555555", "666666") if code != right][:5]
    statuses = [sign_in(client, code=code).status_code for code in wrong]
    assert statuses == [200, 200, 200, 200, 429]


def test_lockout_is_for_the_username_at_that_address(client, alice):
    """A locked username still signs in from another address."""
    for _attempt in range(5):
        sign_in(client, password="wrong-password", code=ANY_CODE)
    assert sign_in(client, code=code_for(alice)).status_code == 429
    assert sign_in(client, code=code_for(alice), address=ANOTHER_ADDRESS).status_code == 302


def test_failures_below_the_limit_are_forgotten_after_a_success(client, alice):
    """Four wrong passwords, then a sign-in: the count starts again."""
    for _attempt in range(4):
        sign_in(client, password="wrong-password", code=ANY_CODE)
    assert sign_in(client, code=code_for(alice)).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert sign_in(client, password="wrong-password", code=ANY_CODE).status_code == 200


def test_axes_reset_unlocks(client, alice):
    """manage.py axes_reset_username unlocks a locked sign-in at once."""
    for _attempt in range(5):
        sign_in(client, password="wrong-password", code=ANY_CODE)
    call_command("axes_reset_username", "alice", stdout=StringIO())
    assert sign_in(client, code=code_for(alice)).status_code == 302


def test_session_ends_at_browser_close_and_after_ten_hours(client, alice, monkeypatch):
    """The session cookie has no expiry date (it goes with the browser), and the server forgets it after 10 hours."""
    response = sign_in(client, code=code_for(alice))
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    session = Session.objects.get(session_key=cookie.value)
    assert abs(session.expire_date - (timezone.now() + timedelta(hours=10))) < timedelta(minutes=1)
    started = timezone.now()
    monkeypatch.setattr("django.utils.timezone.now", lambda: started + timedelta(hours=9, minutes=59))
    assert signed_in(client)
    monkeypatch.setattr("django.utils.timezone.now", lambda: started + timedelta(hours=10, minutes=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_production_refuses_to_turn_the_requirement_off():
    """STAFF_OTP_REQUIRED=0 with DJANGO_ENV=production: a clear message and a non-zero exit."""
    result = manage("check", STAFF_OTP_REQUIRED="0", **PRODUCTION)
    assert result.returncode != 0
    assert "STAFF_OTP_REQUIRED cannot be turned off when DJANGO_ENV=production." in result.stderr


def test_requirement_is_on_unless_turned_off_in_development():
    """On by default; STAFF_OTP_REQUIRED=0 turns it off outside production."""
    show = ("shell", "-c", "from django.conf import settings; print(settings.STAFF_OTP_REQUIRED)")
    assert manage(*show).stdout.strip().endswith("True")
    assert manage(*show, STAFF_OTP_REQUIRED="0").stdout.strip().endswith("False")
    assert manage(*show, **PRODUCTION).stdout.strip().endswith("True")


def enrol(*args):
    out = StringIO()
    call_command("enrol_totp", *args, stdout=out)
    return out.getvalue()


def test_enrol_command_prints_what_the_app_needs(client, db):
    """enrol_totp prints an otpauth:// URL; the code an app computes from it signs in, as does a backup code, once."""
    User.objects.create_user("carol", password=PASSWORD, is_staff=True)
    output = enrol("carol")
    url = re.search(r"otpauth://\S+", output)[0]
    assert url.startswith("otpauth://totp/CARM%20support%3Acarol?")
    query = parse_qs(urlsplit(url).query)
    assert query["issuer"] == ["CARM support"] and query["digits"] == ["6"] and query["period"] == ["30"]
    key = b32decode(query["secret"][0])
    assert query["secret"][0][:4] in output.replace(" ", "")
    assert sign_in(client, username="carol", code=f"{totp(key):06d}").status_code == 302
    client.logout()

    backup_codes = re.findall(r"^  ([a-z2-7]{8})$", output, re.MULTILINE)
    assert len(backup_codes) == 10
    assert sign_in(client, username="carol", code=backup_codes[0]).status_code == 302
    client.logout()
    assert REFUSED in sign_in(client, username="carol", code=backup_codes[0]).content.decode()


def test_enrol_command_refuses_twice_unless_replacing(db):
    """A second enrolment needs --replace, which gives a new key and new backup codes."""
    User.objects.create_user("carol", password=PASSWORD, is_staff=True)
    first = re.search(r"secret=(\w+)", enrol("carol"))[1]
    with pytest.raises(CommandError, match="already has an authenticator app"):
        enrol("carol")
    second = re.search(r"secret=(\w+)", enrol("carol", "--replace", "--backup-codes", "0"))[1]
    assert first != second
    assert TOTPDevice.objects.filter(user__username="carol").count() == 1


@pytest.mark.parametrize(("username", "message"), [("nobody", "There is no user"), ("client", "is not active staff")])
def test_enrol_command_refuses_unknown_users_and_non_staff(db, username, message):
    User.objects.create_user("client", password=PASSWORD)
    with pytest.raises(CommandError, match=message):
        enrol(username)


def test_admin_shows_a_devices_otpauth_url(client, alice):
    """An administrator can also enrol staff from the admin's TOTP device pages."""
    sign_in_staff(client, alice)
    bob = User.objects.create_user("bob", password=PASSWORD, is_staff=True)
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": bob.pk,
            "name": "Phone",
            "confirmed": "on",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()
    device = TOTPDevice.objects.get(user=bob)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").content.decode()
    assert "otpauth://totp/CARM%20support%3Abob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in page
