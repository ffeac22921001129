"""A throw-away Dovecot (Debian's dovecot-imapd) with one user and an empty mailbox, for the tests'
`imap_server` fixture and the inbound benchmark (bench/inbound_load.py)."""

import grp
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
auth_mechanisms = plain
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={uid} gid={gid} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {starttls_port}
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


class DovecotError(Exception):
    """Dovecot is not installed, stopped at once, or never accepted connections."""


class ImapServer:
    """A throw-away Dovecot: one user, implicit TLS on .port, STARTTLS on .starttls_port."""

    host, user, password = "127.0.0.1", "support", "mailbox-secret"

    def __init__(self, root, port, starttls_port, process=None):
        self.port, self.starttls_port, self.cafile = port, starttls_port, f"{root}/cert.pem"
        self.root, self.process = root, process

    def settings(self, tls="implicit", **overrides):
        """INBOUND_IMAP for this server."""
        port = self.port if tls == "implicit" else self.starttls_port
        return {
            "HOST": self.host, "PORT": port, "TLS": tls, "USER": self.user, "PASSWORD": self.password,
            "CAFILE": self.cafile, "FOLDER": "INBOX", "PROCESSED": "Processed", "REJECTED": "Rejected",
            "TIMEOUT": 10, **overrides,
        }  # fmt: skip

    def client(self):
        client = IMAPClient(self.host, port=self.port, ssl_context=ssl.create_default_context(cafile=self.cafile))
        client.login(self.user, self.password)
        return client

    def deliver(self, raw):
        """Put one message in the inbox, as a mail server would."""
        with self.client() as client:
            client.append("INBOX", raw)

    def folder(self, name):
        """The messages of a folder, oldest first, as bytes ([] when it does not exist)."""
        with self.client() as client:
            if not client.folder_exists(name):
                return []
            client.select_folder(name, readonly=True)
            fetched = client.fetch(client.search("ALL"), [b"BODY.PEEK[]"])
            return [fetched[uid][b"BODY[]"] for uid in sorted(fetched)]

    def stop(self):
        """Stop the server and remove its folder, mail included."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot() -> ImapServer:
    """A Dovecot of its own, started and accepting connections; `.stop()` it when done."""
    if not DOVECOT:
        raise DovecotError("Dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    # Not pytest's tmp_path: its path may be longer than a Unix socket's, and when run as root
    # Dovecot's unprivileged processes must be able to reach it.
    root = tempfile.mkdtemp(prefix="dovecot-")
    if os.getuid() == 0:
        # Dovecot runs its login processes, and mail of a user, only as unprivileged users: the package's.
        internal, login, mail = "dovecot", "dovenull", pwd.getpwnam("dovecot")
        os.chmod(root, 0o755)  # noqa: S103 - they read the passwords file and reach the sockets
    else:
        mail = pwd.getpwuid(os.getuid())
        internal = login = mail.pw_name
    group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name  # not always named as the user
    os.makedirs(f"{root}/mail")
    os.chown(f"{root}/mail", mail.pw_uid, mail.pw_gid)
    certificate = ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2"]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", *certificate,
         "-keyout", f"{root}/key.pem", "-out", f"{root}/cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    with open(f"{root}/passwd", "w") as passwd:
        passwd.write(f"{ImapServer.user}:{{PLAIN}}{ImapServer.password}::::::\n")
    os.chmod(f"{root}/passwd", 0o644)
    port, starttls_port = _free_port(), _free_port()
    with open(f"{root}/dovecot.conf", "w") as conf:
        conf.write(
            DOVECOT_CONF.format(
                root=root, internal=internal, group=group, login=login, uid=mail.pw_uid, gid=mail.pw_gid,
                port=port, starttls_port=starttls_port,
            )
        )  # fmt: skip
    process = subprocess.Popen([DOVECOT, "-F", "-c", f"{root}/dovecot.conf"])
    server = ImapServer(root, port, starttls_port, process)
    try:
        _await_connections(process, port, f"{root}/dovecot.log")
    except BaseException:
        server.stop()
        raise
    return server


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _await_connections(process, port, log):
    for _ in range(200):  # 10 seconds at most
        if process.poll() is not None:
            raise DovecotError(
                f"Dovecot stopped: {Path(log).read_text() if os.path.exists(log) else process.returncode}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise DovecotError("Dovecot never accepted connections")
