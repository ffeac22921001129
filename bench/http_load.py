"""Throughput and latency of the site's main pages under gunicorn, measured with wrk, against targets.

    .venv/bin/python bench/http_load.py                    # SQLite, 100,000 cases for the changelist
    .venv/bin/python bench/http_load.py --cases 1000 --seconds 3
    scripts/with-postgres .venv/bin/python bench/http_load.py

Needs wrk (Debian: apt-get install wrk). Prints one line per scenario and each target
as MET or MISSED; exits non-zero when a target is missed.
"""

import argparse
import gzip
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (bench/harness.py, beside this file)

# /healthz is answered before most of the middleware (carmsupport.middleware.ProbeMiddleware): gunicorn
# and Django's handler with little else. A page, through the whole stack, its cache and its template,
# is held to this share of its throughput.
SHARE_OF_HEALTHZ = 0.2
# Each page in English; the step, outcome and contact form in French too, at their French addresses.
STEP = "/en/help/carm/questions/importer/yes/yes/difficulty-activating-or-configuring-your-business-account/error-code/"
OUTCOME = STEP + "ec-1012/"
CONTACT = "/en/contact/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"
FRENCH_STEP = (
    "/fr/aide/gcra/questions/importateur/oui/oui/"
    "probleme-d-activation-ou-de-configuration-de-votre-compte/code-d-erreur/"
)
IN_FRENCH = {
    STEP: FRENCH_STEP,
    OUTCOME: FRENCH_STEP + "ec-1012/",
    CONTACT: "/fr/nous-joindre/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/",
}


# What each contact form POST sends, besides its CSRF token and form token.
CONTACT_FIELDS = {
    "full_name": "Ann Smith",
    "email": "ann@example.org",
    "preferred_language": "en",
    "description": "EC-1012 when registering.",
    "consent": "on",
}
# The most queries (BEGIN and COMMIT included, as Django logs them), and writes among them, one contact
# form POST may make (see contact_post_queries).
CONTACT_POST_QUERIES, CONTACT_POST_WRITES = 18, 8


def french(address):
    return IN_FRENCH[address]


# Each POST carries a form token the server issued (read from a file, one a line), each thread
# starting at its own place in the list, so that every contact form POST files a new case.
POST_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%(cookie)s"
local body = "%(body)s"
local tokens = {}
for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
local threads = 0
function setup(thread)
  thread:set("offset", threads * 1000003)
  threads = threads + 1
end
local counter = 0
request = function()
  counter = counter + 1
  local token = tokens[((offset or 0) + counter) %% #tokens + 1]
  return wrk.format(nil, nil, nil, body .. "&token=" .. token)
end
"""
TOKENS = 200_000


def csrf_pair(base, path):
    """A CSRF cookie and a form token that goes with it, read from the form page."""
    with urllib.request.urlopen(base + path) as answer:
        cookie = re.search(r"csrftoken=([^;]+)", answer.headers["Set-Cookie"]).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.read().decode()).group(1)
    return cookie, token


def post_script(folder, name, cookie, fields):
    body = urllib.parse.urlencode(fields)
    tokens = os.path.join(folder, "tokens.txt")
    if not os.path.exists(tokens):
        from cases.tokens import issue_token

        with open(tokens, "w") as lines:
            lines.writelines(urllib.parse.quote(issue_token()) + "\n" for _ in range(TOKENS))
    path = os.path.join(folder, f"{name}.lua")
    with open(path, "w") as script:
        script.write(POST_SCRIPT % {"cookie": cookie, "body": body, "tokens": tokens})
    return path


def wrk(url, seconds, connections, script=None, cookie=None, warm_up=2):
    """Run wrk against the URL and return its figures, after a warm-up run whose figures are dropped
    (each gunicorn worker fills its own caches on its first requests)."""
    if warm_up:
        wrk(url, warm_up, connections, script, cookie, warm_up=0)
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def milliseconds(label):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds("50%"),
        "p99": milliseconds("99%"),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def changelist_queries_and_time(cases_url_cookie_holder):
    """Query count and time of the case changelist, in this process, as a signed-in reviewer."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_superuser("bench", "bench@example.org", "bench-password-not-used-elsewhere")
    client = Client()
    client.force_login(user)
    # Signed in with a code as well, as the admin requires.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=user, confirmed=True).persistent_id
    session.save()
    cases_url_cookie_holder["cookie"] = f"sessionid={client.cookies['sessionid'].value}"
    client.get("/admin/cases/case/")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get("/admin/cases/case/")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    return len(queries.captured_queries), elapsed


def contact_post_queries():
    """Queries of one contact form POST from a help-tool outcome, and how many of them write, counted in
    this process with rate limits on and the task queue in the database, as in production: the second
    POST, from a new client, so that what a process does once (its first count prunes old counters) is
    left out."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    logging.disable(logging.INFO)  # the emails queued, which the server's own log level hides too
    for _ in range(2):
        client = Client()
        page = client.get(CONTACT).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(CONTACT, {**CONTACT_FIELDS, "token": token})
        assert response.status_code == 302, response.status_code
    logging.disable(logging.NOTSET)
    statements = [query["sql"].lstrip().upper() for query in queries.captured_queries]
    return len(statements), sum(statement.startswith(("INSERT", "UPDATE", "DELETE")) for statement in statements)


def page_weight(base):
    """Bytes a browser transfers for a step page: the HTML, the stylesheets and the images, gzipped."""
    with urllib.request.urlopen(base + STEP) as answer:
        html = answer.read()
    assets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(rb'<img [^>]*src="([^"]+)"', html)
    transferred = len(gzip.compress(html))
    for href in assets:
        with urllib.request.urlopen(base + href.decode()) as answer:
            transferred += len(gzip.compress(answer.read()))
    return transferred, b"<script" in html


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the database for the changelist")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory() as folder:
        values = harness.environment(folder)
        harness.prepare_database(values)
        harness.manage(values, "generate_cases", "--count", str(options.cases))
        harness.use_database(values)
        holder = {}
        queries, changelist_ms = changelist_queries_and_time(holder)
        post_queries, post_writes = contact_post_queries()
        results = {}
        with harness.Gunicorn(values, options.workers) as server:
            base, seconds = server.url, options.seconds
            weight, has_script = page_weight(base)
            results["healthz"] = wrk(base + "/healthz", seconds, 16)
            results["question step (depth 6)"] = wrk(base + STEP, seconds, 16)
            results["question step (depth 6), French"] = wrk(base + french(STEP), seconds, 16)
            results["outcome"] = wrk(base + OUTCOME, seconds, 16)
            results["outcome, French"] = wrk(base + french(OUTCOME), seconds, 16)
            results["contact form GET"] = wrk(base + CONTACT, seconds, 16)
            results["contact form GET, French"] = wrk(base + french(CONTACT), seconds, 16)
            cookie, token = csrf_pair(base, CONTACT)
            contact = post_script(folder, "contact", cookie, {"csrfmiddlewaretoken": token, **CONTACT_FIELDS})
            results["contact form POST"] = wrk(base + CONTACT, seconds, 16, script=contact)
            cookie, token = csrf_pair(base, "/en/status/")
            lookup = {"csrfmiddlewaretoken": token, "reference": "CS-000-000-000", "email": "ann@example.org"}
            status = post_script(folder, "status", cookie, lookup)
            results["status lookup POST"] = wrk(base + "/en/status/", seconds, 16, script=status)
            results[f"case changelist, {options.cases:,} cases (1 connection)"] = wrk(
                base + "/admin/cases/case/", seconds, 1, cookie=holder["cookie"]
            )

    print(
        f"database: {harness.database_name(values)}; gunicorn workers: {options.workers}; "
        f"wrk: 2 threads, 16 connections, {options.seconds} s a scenario"
    )
    for name, r in results.items():
        print(
            f"{name:45} {r['rps']:8.1f} req/s   p50 {r['p50']:7.1f} ms   p99 {r['p99']:7.1f} ms"
            f"   errors {r['bad'] + r['socket_errors']}"
        )
    print(f"case changelist in-process: {queries} queries, {changelist_ms:.0f} ms")
    print(f"contact form POST in-process: {post_queries} queries, {post_writes} of them writes")
    print(f"question step page, HTML + CSS + images gzipped: {weight / 1024:.1f} KB; script on the page: {has_script}")

    health = results["healthz"]
    changelist = next(r for name, r in results.items() if name.startswith("case changelist"))
    targets = []
    for language, name in (("English", "question step (depth 6)"), ("French", "question step (depth 6), French")):
        step = results[name]
        targets += [
            (
                f"question step ({language}) throughput >= {SHARE_OF_HEALTHZ:.0%} of /healthz",
                step["rps"] >= SHARE_OF_HEALTHZ * health["rps"],
                f"{step['rps'] / health['rps']:.0%}",
            ),
            (f"question step ({language}) p99 < 50 ms at 16 connections", step["p99"] < 50, f"{step['p99']:.1f} ms"),
        ]
    for name in ("outcome", "outcome, French", "contact form GET", "contact form GET, French"):
        page = results[name]
        targets.append(
            (
                f"{name} throughput >= {SHARE_OF_HEALTHZ:.0%} of /healthz",
                page["rps"] >= SHARE_OF_HEALTHZ * health["rps"],
                f"{page['rps'] / health['rps']:.0%}",
            )
        )
    targets += [
        (
            "contact POST >= 100 per second" + (" (SQLite)" if "SQLITE_PATH" in values else ""),
            results["contact form POST"]["rps"] >= 100,
            f"{results['contact form POST']['rps']:.1f}/s",
        ),
        (
            "case changelist < 300 ms",
            changelist["p50"] < 300 and changelist_ms < 300,
            f"p50 {changelist['p50']:.0f} ms under wrk, {changelist_ms:.0f} ms in-process",
        ),
        ("case changelist <= 10 queries", queries <= 10, str(queries)),
        (
            f"contact POST <= {CONTACT_POST_QUERIES} queries, <= {CONTACT_POST_WRITES} writes",
            post_queries <= CONTACT_POST_QUERIES and post_writes <= CONTACT_POST_WRITES,
            f"{post_queries} queries, {post_writes} writes",
        ),
        ("question step <= 50 KB, no script needed", weight <= 50 * 1024 and not has_script, f"{weight / 1024:.1f} KB"),
        ("no errors", all(r["bad"] + r["socket_errors"] == 0 for r in results.values()), ""),
    ]
    for label, met, figure in targets:
        print(f"{'MET   ' if met else 'MISSED'} {label}: {figure}")
    return 0 if all(met for _label, met, _figure in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
