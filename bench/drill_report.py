"""bench/ha_drill.py's figures: per phase and in total, each beside its target; non-zero when one is missed."""

import time
from collections import Counter

from drill_checks import _database, fresh_connections

# Phases that must serve every request, and the planned full database outage that the total leaves out.
PERFECT = ("1.", "2.", "3.", "5.")
DATABASE_RESTART, DATABASE_STOPPED, REDIS_STOPPED = "4.", "8.", "7."
RECOVERY_LIMIT = 10.0


def share(ok, total):
    return 100.0 * ok / total if total else 100.0


class Report:
    def __init__(self, drill, ledger):
        self.drill, self.ledger = drill, ledger
        self.misses = []

    def drain(self, seconds=180):
        """Wait for the workers to send everything queued, with no person restarting anything."""
        from django_tasks_db.models import DBTaskResult

        from cases.models import OutboundEmail

        waiting = (OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            left = _database(lambda: OutboundEmail.objects.filter(status__in=waiting).count(), -1)
            tasks = _database(lambda: DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).count(), -1)
            if left == 0 and tasks == 0:
                break
            if int(time.monotonic() - started) % 15 == 0:
                self.drill.say(f"draining: {left} emails queued or being sent, {tasks} tasks waiting or running")
                print("   ", _database(self.waiting, ""), flush=True)
            time.sleep(1)
        self.drained_after = time.monotonic() - started
        self.drill.say(f"outbox drained after {self.drained_after:.0f} s")

    @staticmethod
    def waiting():
        from django_tasks_db.models import DBTaskResult

        from cases.models import OutboundEmail

        emails = OutboundEmail.objects.exclude(status__in=("sent", "cancelled")).values_list(
            "pk", "status", "attempts", "next_attempt_at", "last_error"
        )
        tasks = DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).values_list(
            "status", "run_after", "args_kwargs"
        )
        return f"emails {list(emails)[:10]}; tasks {list(tasks)[:10]}"

    def target(self, met, text):
        if not met:
            self.misses.append(text)
        return f"{'MET   ' if met else 'MISSED'} {text}"

    def phases(self):
        records = sorted(self.ledger.records, key=lambda r: r.at)
        lines, counted = [], []
        for name, start, end, _fault in self.drill.phases:
            mine = [r for r in records if start <= r.at + r.seconds < end]
            failed = [r for r in mine if not r.ok]
            ok = len(mine) - len(failed)
            recovered = max((r.at for r in failed), default=start) - start
            statuses = Counter(f"{r.kind} {r.status}" for r in failed)
            lines.append(
                f"  {name}: {len(mine):,} requests, {ok:,} served, {len(failed)} failed "
                f"({share(ok, len(mine)):.3f}%); served correctly again {recovered:.1f} s after the phase began"
                + (f"; failures: {dict(statuses)}" if failed else "")
            )
            if name.startswith(PERFECT):
                lines.append("    " + self.target(not failed, "100% of requests in this phase"))
            if name.startswith(DATABASE_RESTART):
                failed_gets = [r for r in failed if r.method == "GET"]
                lines.append("    " + self.target(not failed_gets, f"no failed GET ({len(failed_gets)})"))
            if name.startswith(REDIS_STOPPED):
                errors = [r for r in failed if r.status == 500]
                lines.append("    " + self.target(not errors, f"no 500 while Redis is stopped ({len(errors)})"))
            if name.startswith(DATABASE_STOPPED):
                wrong = [r for r in failed if r.status != 503]
                lines.append(
                    "    " + self.target(not wrong, f"only the 503 page while the database is away ({len(wrong)})")
                )
            back = self.drill.back_at.get(name[:2])
            if back:
                since = max((r.at for r in failed), default=back) - back
                lines.append(
                    "    "
                    + self.target(
                        since <= RECOVERY_LIMIT, f"serving again {max(since, 0):.1f} s after it came back (≤ 10 s)"
                    )
                )
            if not name.startswith(DATABASE_STOPPED):
                counted.extend(mine)
        ok = sum(1 for r in counted if r.ok)
        lines.append(
            f"  total, the planned database outage (8.) left out: {len(counted):,} requests, {ok:,} served, "
            f"{len(counted) - ok} failed, {share(ok, len(counted)):.3f}% available"
        )
        lines.append("    " + self.target(share(ok, len(counted)) >= 99.99, "availability at least 99.99%"))
        return lines

    def latencies(self):
        by_kind = {}
        for record in self.ledger.records:
            if record.ok:
                by_kind.setdefault(record.kind, []).append(record.seconds)
        lines = []
        for kind, seconds in sorted(by_kind.items()):
            seconds.sort()
            p50, p95 = (seconds[min(len(seconds) - 1, int(len(seconds) * q))] * 1000 for q in (0.5, 0.95))
            lines.append(f"  {kind}: {len(seconds):,} served, p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        return lines

    def submissions(self):
        from cases.models import Case

        stored = Counter()
        for description in Case.objects.filter(description__startswith="Drill ").values_list("description", flat=True):
            stored[description.split(":", 1)[0].removeprefix("Drill ")] += 1
        confirmed = self.ledger.confirmed
        lost = [m for m in confirmed if stored[m] == 0]
        doubled = [m for m, count in stored.items() if count > 1]
        return [
            f"  submissions confirmed: {len(confirmed):,}; stored: {sum(stored.values()):,} "
            f"(unconfirmed but stored, the client's answer lost: {len(set(stored) - set(confirmed))})",
            "    " + self.target(not lost, f"0 confirmed submissions lost ({len(lost)})"),
            "    " + self.target(not doubled, f"0 submissions stored twice ({len(doubled)})"),
        ]

    def emails(self):
        from django_tasks_db.models import DBTaskResult

        from cases.models import OutboundEmail

        delivered = Counter(message_id for message_id, _m in self.drill.smtp.snapshot())
        rows = list(OutboundEmail.objects.values_list("status", "internet_message_id", "kind"))
        statuses = Counter(status for status, _id, _kind in rows)
        # Sent, or sent, unconfirmed: a worker killed after handing the email over (the server may have it).
        handed = (OutboundEmail.Status.SENT, OutboundEmail.Status.UNCONFIRMED)
        sent_ids = {message_id for status, message_id, _kind in rows if status in handed}
        lost = [row for row in rows if row[0] not in handed or row[1] not in delivered]
        doubled = [message_id for message_id, count in delivered.items() if count > 1]
        unknown = [message_id for message_id in delivered if message_id not in sent_ids]
        left = statuses[OutboundEmail.Status.QUEUED] + statuses[OutboundEmail.Status.SENDING]
        tasks = DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).count()
        acknowledged = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGMENT).count()
        return [
            f"  emails queued: {len(rows):,}, by kind {dict(Counter(kind for *_s, kind in rows))}",
            f"  by status: {dict(statuses)}",
            f"  delivered to the SMTP server: {sum(delivered.values()):,} ({len(delivered):,} distinct); "
            f"acknowledgments queued: {acknowledged:,} for {len(self.ledger.confirmed):,} confirmed submissions",
            "    "
            + self.target(
                left == 0 and tasks == 0, f"nothing left queued, sending or running ({left} emails, {tasks} tasks)"
            ),
            f"  sent, unconfirmed (a worker killed after the hand-over): {statuses[OutboundEmail.Status.UNCONFIRMED]}",
            "    " + self.target(not lost, f"0 emails lost ({len(lost)})"),
            "    "
            + self.target(
                not doubled and not unknown, f"0 emails doubled ({len(doubled)}; {len(unknown)} not recorded as sent)"
            ),
        ]

    def release(self):
        release = self.drill.release
        return [
            f"  release published on A: {'yes' if release.published else 'no'}; pages read on B and A right after: "
            f"{release.seen_new} new, {release.seen_old} old",
            "    "
            + self.target(release.published and release.seen_old == 0, "0 pages of the old release after the publish"),
        ]

    def print(self):
        print("\nPer phase (requests counted in the phase they ended, when their answer came):")
        sections = (
            ("", self.phases),
            ("Submissions", self.submissions),
            ("Emails", self.emails),
            ("Release", self.release),
        )
        for title, section in sections:
            if title:
                print(f"\n{title}:")
            fresh_connections()
            for line in section():
                print(line)
        verdict = "OK: every target met" if not self.misses else f"FAIL: {len(self.misses)} target(s) missed"
        print(f"\nresult: {verdict}")
        return 1 if self.misses else 0
