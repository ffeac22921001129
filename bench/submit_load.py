"""Submit contact forms from many clients at once to the site under gunicorn, then prove nothing was lost.

Starts gunicorn on 127.0.0.1 with a fresh database (SQLite in a temporary folder, or the
PostgreSQL that DATABASE_URL names), sends the forms through the real pages (form token
and CSRF cookie included), and checks: every submission that got a confirmation is a
stored case holding what was sent; all references are distinct; no 5xx answer.

    .venv/bin/python bench/submit_load.py                       # SQLite, 2,000 forms, 16 clients
    scripts/with-postgres .venv/bin/python bench/submit_load.py # PostgreSQL
"""

import argparse
import http.cookiejar
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (bench/harness.py, beside this file)

ORIGIN = "?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"
CONTACT = {"en": "/en/contact/", "fr": "/fr/nous-joindre/"}


class Client:
    """One person with a browser: their own cookies, one form after another."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def submit(self, number):
        url = f"{self.base}{CONTACT[language_of(number)]}{ORIGIN}"
        page = self.opener.open(url, timeout=60).read().decode()
        fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
            "token": re.search(r'name="token" value="([^"]+)"', page).group(1),
            "full_name": f"Client {number}",
            "email": f"client{number}@example.org",
            "preferred_language": language_of(number),
            "description": f"Submission {number}: EC-1012 when registering.",
            "consent": "on",
        }
        request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode(), headers={"Referer": url})
        started = time.perf_counter()
        with self.opener.open(request, timeout=60) as answer:
            body = answer.read().decode()
            status = answer.status
        elapsed = time.perf_counter() - started
        found = re.search(r'<p class="reference">(.+?)</p>', body)
        return status, elapsed, re.sub(r"<[^>]+>", "", found.group(1)) if found else None


def language_of(number):
    """Half the submissions come from the English form, half from the French one."""
    return ("en", "fr")[number % 2]


def run_clients(base, submissions, clients):
    numbers = iter(range(submissions))
    lock = threading.Lock()
    results, errors = {}, []

    def work():
        client = Client(base)
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            try:
                status, elapsed, reference = client.submit(number)
                with lock:
                    results[number] = (status, elapsed, reference)
            except urllib.error.HTTPError as error:
                with lock:
                    errors.append((number, error.code))
            except Exception as error:  # connection refused, timeout: counted, not hidden
                with lock:
                    errors.append((number, type(error).__name__))

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors, time.perf_counter() - started


def verify(environment, results, started):
    """Every confirmed submission is a stored case with what was sent; references distinct. Only the
    cases received from `started` on count: a PostgreSQL database may hold other benchmarks' cases."""
    harness.use_database(environment)
    from cases.intake.references import normalise
    from cases.models import Case

    stored = {case.reference: case for case in Case.objects.filter(received_at__gte=started)}
    problems = []
    confirmed = {number: ref for number, (_s, _e, ref) in results.items() if ref}
    for number, shown in confirmed.items():
        case = stored.get(normalise(shown))
        if case is None:
            problems.append(f"submission {number}: confirmed as {shown} but not stored")
        elif (case.full_name, case.email, case.language) != (
            f"Client {number}",
            f"client{number}@example.org",
            language_of(number),
        ) or not case.description.startswith(f"Submission {number}:"):
            problems.append(f"submission {number}: stored case {shown} holds other data")
    if len(set(confirmed.values())) != len(confirmed):
        problems.append("two submissions were given the same reference")
    if len(stored) != len(confirmed):
        problems.append(f"{len(stored)} cases stored for {len(confirmed)} confirmations")
    return problems, len(stored)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        environment = harness.environment(folder)
        database = harness.database_name(environment)
        harness.prepare_database(environment)
        with harness.Gunicorn(environment, options.workers) as server:
            started = datetime.now(UTC)
            results, errors, seconds = run_clients(server.url, options.submissions, options.clients)
        problems, stored = verify(environment, results, started)

    server_errors = [e for e in errors if isinstance(e[1], int) and e[1] >= 500]
    server_errors += [r for r in results.values() if r[0] >= 500]
    latencies = sorted(elapsed for _status, elapsed, _ref in results.values())
    confirmed = sum(1 for r in results.values() if r[2])
    print(f"database: {database}; gunicorn workers: {options.workers}; clients: {options.clients}")
    print(
        f"submitted: {options.submissions}; confirmed: {confirmed}; stored: {stored}; "
        f"5xx: {len(server_errors)}; other failures: {len(errors) - len(server_errors)}"
    )
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"throughput: {confirmed / seconds:.1f} submissions/s over {seconds:.1f} s; "
            f"POST latency p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
        )
    for problem in problems[:20]:
        print("PROBLEM:", problem)
    failed = problems or server_errors or errors or confirmed != options.submissions
    print("result:", "FAIL" if failed else "OK: nothing lost")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
