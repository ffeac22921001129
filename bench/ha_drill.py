"""The production drill: the portal run as production runs it, on one machine, under load, through faults.

Builds the topology from deploy/ (HAProxy from deploy/haproxy.cfg in front of two gunicorn app servers from
deploy/gunicorn.conf.py), with PostgreSQL, Redis, file storage shared by both app servers, two task workers,
the periodic check of cases due and a real SMTP server (aiosmtpd) that counts what arrives. Clients and a
member of staff use the site through the proxy while the faults come one after another; then the outbox
drains and the drill compares what clients were told with what was stored and sent.

    .venv/bin/python bench/ha_drill.py            # the full drill, about 7 minutes
    .venv/bin/python bench/ha_drill.py --short    # every fault, shorter phases (CI)

Needs Debian's postgresql, redis-server and haproxy. Prints each fault with its time, the figures per phase
and in total beside their targets, and exits non-zero when a target is missed.
"""

import argparse
import contextlib
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drill_checks  # noqa: E402  (beside this file)
import drill_load  # noqa: E402
import drill_report  # noqa: E402
import drill_stack  # noqa: E402
import harness  # noqa: E402

MARK_EN, MARK_FR = "Drill release: the new hint.", "Publication de l'exercice : le nouvel indice."


class Drill:
    def __init__(self, folder, short):
        self.folder, self.short = folder, short
        self.started = time.time()
        self.phases = []  # (name, start, end, kind of fault)
        self.back_at = {}  # phase number → when the component it stopped was back

    def say(self, text):
        print(f"[{time.time() - self.started:6.1f} s] {text}", flush=True)

    def build(self):
        self.postgres = drill_stack.Postgres(self.folder)
        self.postgres.create()
        self.redis = drill_stack.Redis(self.folder)
        self.redis.start()
        self.smtp = drill_stack.SmtpSink(delay=0.02)
        self.smtp.start()
        values = harness.environment(self.folder)
        values.pop("RATELIMIT_ENABLE")
        values.pop("MAIL_BACKEND")
        values.pop("SQLITE_PATH", None)
        big = "100000/h"
        values.update(
            DATABASE_URL=self.postgres.url,
            CACHE_URL=self.redis.url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp.port),
            ATTACHMENTS_ROOT=os.path.join(self.folder, "attachments"),  # one folder, shared by both app servers
            STAFF_OTP_REQUIRED="0",
            TRUSTED_PROXIES="1",
            SITE_URL="http://127.0.0.1",  # replaced by the proxy's address once it has one
            LOG_LEVEL="WARNING",
            **{f"RATE_LIMIT_{name}": big for name in ("CONTACT", "STATUS", "FOLLOW_UP", "CONVERSATION_LINK")},
            ACKNOWLEDGMENTS_PER_ADDRESS_PER_DAY="100",
        )
        self.values = values
        harness.prepare_database(values)
        harness.manage(values, "shell", "-c", STAFF_ACCOUNT)
        # The services' output (HAProxy's line per request, gunicorn's, the workers') outlives the drill's folder.
        log = open(os.path.join(tempfile.gettempdir(), "carmsupport-drill.log"), "wb")  # noqa: SIM115
        self.log_path = log.name
        self.app_a = drill_stack.AppServer("app server A", values, log)
        self.app_b = drill_stack.AppServer("app server B", values, log)
        self.proxy = drill_stack.Proxy(values, log, self.app_a, self.app_b)
        values["SITE_URL"] = self.proxy.url  # links in emails lead clients through the proxy
        for server in (self.app_a, self.app_b):
            server.values = values
            server.start()
        self.proxy.start()
        task_worker = [drill_stack.PYTHON, "manage.py", "task_worker", "--interval", "0.2", "--no-startup-delay"]
        self.workers = [drill_stack.Service(f"worker {n}", task_worker, values, log) for n in (1, 2)]
        periodic = [drill_stack.PYTHON, "manage.py", "check_due_cases", "--every", "30"]
        self.periodic = drill_stack.Service("check of cases due", periodic, values, log)
        for service in (*self.workers, self.periodic):
            service.start()
        harness.use_database(values)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command
        self.say(
            f"stack up: PostgreSQL {self.postgres.version}, Redis, HAProxy {self.proxy.url}, app servers "
            f"{self.app_a.url} and {self.app_b.url} (2 gunicorn workers each), 2 task workers, SMTP sink"
        )

    def phase(self, name, action, settle, fault=True):
        start = time.time()
        self.say(f"phase: {name}")
        drill_checks.fresh_connections()
        action()
        time.sleep(settle)
        self.phases.append((name, start, time.time(), fault))

    def run(self):
        stop = threading.Event()
        ledger = drill_load.Ledger()
        threads = [
            threading.Thread(target=drill_load.run_client, args=(self.proxy.url, ledger, stop)) for _ in range(12)
        ]
        threads.append(
            threading.Thread(
                target=drill_load.run_staff, args=(self.proxy.url, ledger, stop, drill_checks.case_to_answer)
            )
        )
        watcher = threading.Thread(target=self.watch_links, args=(ledger, stop))
        for thread in (*threads, watcher):
            thread.start()
        short = self.short
        try:
            self.phase("steady load", lambda: None, 10 if short else 30, fault=False)
            self.phase("1. kill -9 of app server A's master, back 20 s later", self.kill_app_server, 5 if short else 15)
            self.phase("2. rolling reload (HUP) of A, then B", self.rolling_reload, 5 if short else 15)
            self.phase("3. kill -9 of a task worker while it sends", self.kill_worker, 5 if short else 15)
            self.phase("4. PostgreSQL restart (pg_ctl restart -m fast)", self.restart_postgres, 10 if short else 20)
            self.phase("5. Redis restart", self.restart_redis, 5 if short else 15)
            self.release = drill_checks.Release(self, MARK_EN, MARK_FR)
            self.phase("6. tree release published on A, clients on B", self.release.publish, 5 if short else 15)
            self.phase("7. Redis stopped for 10 s", self.stop_redis, 10 if short else 15)
            self.phase("8. PostgreSQL stopped for 10 s", self.stop_postgres, 15 if short else 25)
        finally:
            stop.set()
            for thread in (*threads, watcher):
                thread.join(60)
        self.say("load stopped; the outbox drains")
        return ledger

    def kill_app_server(self):
        self.say("kill -9 of app server A's gunicorn master")
        self.app_a.kill()
        time.sleep(20)
        self.say("app server A started again")
        self.app_a.start()

    def rolling_reload(self):
        for server in (self.app_a, self.app_b):
            self.say(f"HUP to {server.name}")
            server.signal(signal.SIGHUP)
            time.sleep(5)

    def kill_worker(self):
        worker = random.choice(self.workers)
        sending = drill_checks.wait_for_sending(10)
        self.say(f"kill -9 of {worker.name} ({'an email being sent' if sending else 'no email seen being sent'})")
        worker.kill()
        time.sleep(2)  # systemd's RestartSec
        self.say(f"{worker.name} started again")
        worker.start()

    def restart_postgres(self):
        self.postgres.restart()
        self.back_at["4."] = time.time()
        self.say("PostgreSQL restarted")

    def restart_redis(self):
        self.redis.restart()
        self.back_at["5."] = time.time()
        self.say("Redis restarted")

    def stop_redis(self):
        self.say("Redis stopped")
        self.redis.stop()
        time.sleep(10)
        self.redis.start()
        self.back_at["7."] = time.time()
        self.say("Redis started again")

    def stop_postgres(self):
        self.say("PostgreSQL stopped")
        self.postgres.stop()
        time.sleep(10)
        self.postgres.start()
        self.back_at["8."] = time.time()
        self.say("PostgreSQL started again")

    def watch_links(self, ledger, stop):
        """Clients read their email: the conversation links in staff replies reach the follow-up clients."""
        seen = 0
        while not stop.is_set():
            received = self.smtp.snapshot()
            for _message_id, message in received[seen:]:
                ledger.linked.extend(drill_checks.conversation_links(message))
            seen = len(received)
            stop.wait(0.5)

    def shut_down(self):
        for service in (self.proxy, self.app_a, self.app_b, *self.workers, self.periodic):
            service.stop()
        self.redis.stop()
        self.smtp.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by a failed phase
            self.postgres.stop()


STAFF_ACCOUNT = (
    "from django.contrib.auth.models import Group, User; "
    f"user = User.objects.create_user('drill-staff', password='{drill_load.STAFF_PASSWORD}', is_staff=True, "
    "is_superuser=True); "
    "print('staff account ready')"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="every fault, shorter phases (CI)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carmsupport-drill-") as folder:
        os.chmod(folder, 0o755)  # noqa: S103  PostgreSQL's own user reaches its folder inside
        drill = Drill(folder, options.short)
        try:
            drill.build()
            ledger = drill.run()
            drill_checks.fresh_connections()
            report = drill_report.Report(drill, ledger)
            report.drain()
            return report.print()
        finally:
            print(f"the services' output: {drill.log_path}")
            drill.shut_down()


if __name__ == "__main__":
    sys.exit(main())
