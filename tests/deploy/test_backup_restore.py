"""deploy/backup and deploy/restore on a throw-away PostgreSQL: every row and every client's file comes back."""

import glob
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
PG_BIN = next((b for b in reversed(PG_BINS) if os.access(f"{b}/initdb", os.X_OK)), None)

pytestmark = pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL is not installed (apt-get install postgresql)")

# A site set up as deploy/README.md says, then filled through the project's own code: the CARM tree published,
# months of cases with their messages, and files attached to some of them. One process, as Django starts slowly.
FILL = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from cases.attachments.files import check_files, store_attachments
from cases.models import Case
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable")
call_command("load_trees", verbosity=0)
call_command("generate_cases", count=40, months=2, verbosity=0)
for n, case in enumerate(Case.objects.order_by("pk")[:6]):
    files = [SimpleUploadedFile(f"notes {n}.txt", f"Case {case.reference}: line {n}\\n".encode() * (n + 1))]
    files.append(SimpleUploadedFile(f"table {n}.csv", f"a,b\\n{n},{n * 2}\\n".encode()))
    store_attachments(case, check_files(files), message=case.messages.first())
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL server of its own, in a temporary folder, on a free port, with the role carm trusted."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="carmsupport-backup-pg."))
        self.port = free_port()
        self.run_as = []
        if os.getuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.folder, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        self.server(["initdb", "-D", str(data), "-U", "carm", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        options = f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.server(["pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-w", "start", "-o", options])
        self.url = f"postgres://carm@127.0.0.1:{self.port}/carmsupport"
        self.create()

    def server(self, command):
        subprocess.run([*self.run_as, f"{PG_BIN}/{command[0]}", *command[1:]], check=True, capture_output=True)

    def client(self, name, *arguments, database="carmsupport"):
        connection = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "carm"]
        if name != "dropdb":
            connection.append(database if name == "createdb" else f"--dbname={database}")
        result = subprocess.run([f"{PG_BIN}/{name}", *connection, *arguments], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def create(self):
        self.client("createdb")

    def drop(self):
        self.client("dropdb", "carmsupport")

    def rows(self):
        """Every table's rows, sorted, and every sequence's position: the database's whole content."""
        tables = self.client("psql", "-Atqc", "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
        content = {t: sorted(self.client("psql", "-qc", f'COPY "{t}" TO STDOUT').splitlines()) for t in tables}
        sequences = self.client("psql", "-Atqc", "SELECT sequencename, last_value FROM pg_sequences")
        return content, sorted(sequences.splitlines())

    def stop(self):
        self.server(["pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    yield cluster
    cluster.stop()


def environment(cluster, attachments, **more):
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_PATH", "ATTACHMENTS_S3_BUCKET", "CACHE_URL"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "carmsupport.settings",
        "DATABASE_URL": cluster.url,
        "ATTACHMENTS_ROOT": str(attachments),
        "PG_BIN": PG_BIN,
        **more,
    }


def run(command, env, check=True):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_backup_then_restore_into_an_empty_site_gives_back_every_row_and_file(cluster, tmp_path):
    """Back up a filled site, wipe it, restore: the same rows in every table, the same bytes in every file."""
    attachments, backups = tmp_path / "attachments", tmp_path / "backups"
    attachments.mkdir()
    env = environment(cluster, attachments)
    run([sys.executable, "manage.py", "shell", "-c", FILL], env)
    rows_before, files_before = cluster.rows(), files(attachments)
    assert len(files_before) == 12
    assert all(rows_before[0][t] for t in ("cases_case", "cases_message", "cases_attachment", "triage_release"))

    run(["deploy/backup", str(backups)], env)
    (backup,) = backups.iterdir()
    manifest = (backup / "MANIFEST.sha256").read_text().splitlines()
    assert len(manifest) == 13  # the dump and each file
    assert all(
        hashlib.sha256((backup / name).read_bytes()).hexdigest() == digest
        for digest, name in (line.split("  ", 1) for line in manifest)
    )

    refused = run(["deploy/restore", str(backup)], env, check=False)
    assert refused.returncode != 0 and "empty database" in refused.stderr

    cluster.drop()
    cluster.create()
    refused = run(["deploy/restore", str(backup)], env, check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
    assert cluster.rows()[0] == {}

    shutil.rmtree(attachments)
    attachments.mkdir()
    run(["deploy/restore", str(backup)], env)
    assert cluster.rows() == rows_before
    assert files(attachments) == files_before
    assert all(p.stat().st_mode & 0o077 == 0 for p in attachments.rglob("*") if p.is_file())


def test_restore_refuses_a_damaged_backup(cluster, tmp_path):
    """A file changed after the backup fails its checksum, and nothing is restored."""
    attachments, backups = tmp_path / "attachments", tmp_path / "backups"
    (attachments / "2026").mkdir(parents=True)
    (attachments / "2026" / "a.txt").write_text("kept")
    env = environment(cluster, attachments)
    run(["deploy/backup", str(backups)], env)
    (backup,) = backups.iterdir()
    (backup / "attachments" / "2026" / "a.txt").write_text("changed")
    shutil.rmtree(attachments)
    result = run(["deploy/restore", str(backup)], env, check=False)
    assert result.returncode != 0 and "damaged" in result.stderr
    assert not attachments.exists()


def test_backup_refuses_files_in_s3(cluster, tmp_path):
    """With the clients' files in S3, the script says it cannot copy them, and fails, writing nothing."""
    env = environment(cluster, tmp_path, ATTACHMENTS_S3_BUCKET="carm-attachments")
    result = run(["deploy/backup", str(tmp_path / "backups")], env, check=False)
    assert result.returncode != 0 and "versioning" in result.stderr
    assert not (tmp_path / "backups").exists()
