"""Backups (issue 14): the shipped scripts, run as an operator runs them, on real PostgreSQL.

The restore drill: a server holds a session in which a person with a distinctive name wrote;
deploy/backup/werkplaats-backup dumps and encrypts it; the person is erased afterwards; then
deploy/backup/werkplaats-restore restores the backup into a scratch database and replays the
erasure journal. The person's name must be nowhere in the restored database, and nowhere
readable in the backup file. Without the replay it would be there: the drill shows that too.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, SKIP_POSTGRES
from tests.postgres import create_database, drop_database
from tests.server.test_cli import WERKPLAATS, run
from tests.server.test_retention import NAME, hold_session
from tests.sessions.live import Client, Server, prepared_server, running

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup" / "werkplaats-backup"
RESTORE = ROOT / "deploy" / "backup" / "werkplaats-restore"
SYSTEMD = ROOT / "deploy" / "systemd"
SURNAME = NAME.split()[1]
DRILL = "werkplaats_restore_drill"

pytestmark = pytest.mark.skipif(
    not (shutil.which("age") and shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs age, pg_dump and pg_restore (Debian: age, postgresql-client); .ci/run has them",
)


def plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def script(path: Path, *args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(path), *args],
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def pg_dump_text(url: str) -> str:
    done = subprocess.run(
        ["pg_dump", "--no-owner", plain(url)], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with prepared_server("postgres", tmp_path_factory.mktemp("backup")) as server:
        with running(server):
            yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """An age identity (the private key, kept offline) and its recipients file (on the host)."""
    identity = tmp_path / "backup-key.txt"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    public = subprocess.run(
        ["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True
    ).stdout
    recipients = tmp_path / "backup-recipients.txt"
    recipients.write_text(public)
    return identity, recipients


class Drill:
    """A scratch database to restore into, made anew on demand, dropped afterwards."""

    url = ""

    async def fresh(self) -> str:
        assert POSTGRES_URL
        if self.url:
            await drop_database(POSTGRES_URL, self.url, DRILL)
        self.url = await create_database(POSTGRES_URL, DRILL)
        return self.url


@pytest.fixture
async def drill() -> AsyncIterator[Drill]:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    scratch = Drill()
    try:
        yield scratch
    finally:
        if scratch.url:
            await drop_database(POSTGRES_URL, scratch.url, DRILL)


@pytest.mark.postgres
async def test_restore_drill_backup_erase_restore_replay(
    server: Server, keys: tuple[Path, Path], drill: Drill, tmp_path: Path
) -> None:
    identity, recipients = keys
    held = await hold_session(server, NAME, "region")
    await Client.close_all()
    backups = tmp_path / "backups"
    backups.mkdir()
    # Backups from earlier days: one past the 30 days kept, one within them.
    old = backups / "werkplaats-2026-01-01T023000Z.dump.age"
    recent = backups / "werkplaats-2026-12-01T023000Z.dump.age"
    for path, days in ((old, 31), (recent, 29)):
        path.write_bytes(b"age-encryption.org/v1\n")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))
    backup_env = {
        "WERKPLAATS_DATABASE_URL": server.database_url,
        "BACKUP_DIR": str(backups),
        "BACKUP_RECIPIENTS_FILE": str(recipients),
        "BACKUP_KEEP_DAYS": "30",
        "BACKUP_METRICS_FILE": str(tmp_path / "werkplaats_backup.prom"),
    }

    made = await asyncio.to_thread(script, BACKUP, env=backup_env)
    assert made.returncode == 0, made.stderr
    assert "deleted 1 backup(s) older than 30 day(s)" in made.stdout
    assert not old.exists() and recent.exists()
    (backup,) = [p for p in backups.iterdir() if p != recent]
    assert backup.name.startswith("werkplaats-") and backup.name.endswith("Z.dump.age")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    # For node_exporter's textfile collector: when and how big, for WerkplaatsBackupTooOld.
    metrics = dict(
        line.split()
        for line in (tmp_path / "werkplaats_backup.prom").read_text().splitlines()
        if not line.startswith("#")
    )
    assert (
        abs(float(metrics["werkplaats_backup_last_success_timestamp_seconds"]) - time.time()) < 300
    )
    assert int(metrics["werkplaats_backup_size_bytes"]) == backup.stat().st_size
    # Not readable without the key: age's header, no plaintext of the dump, no name.
    raw = backup.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n")
    for word in (NAME, SURNAME, "Bram Bakker", held.public_id, "session_events", "PGDMP"):
        assert word.encode() not in raw and word.casefold().encode() not in raw.lower(), word
    refused = await asyncio.to_thread(
        subprocess.run, ["pg_restore", "--list", str(backup)], capture_output=True, check=False
    )
    assert refused.returncode != 0

    # After the backup, the person asks to be forgotten.
    erased = await asyncio.to_thread(run, "erase", "--name", NAME, "--yes", env=server.env)
    assert erased.returncode == 0, erased.stderr
    assert SURNAME.casefold() not in pg_dump_text(server.database_url).casefold()
    journal = server.data_dir / "erasures.log"
    assert journal.is_file()

    restore_env = {
        "WERKPLAATS_DATABASE_URL": await drill.fresh(),
        "WERKPLAATS_DATA_DIR": str(tmp_path / "restored-data"),
        "WERKPLAATS_BIN": WERKPLAATS,
    }
    # Without the erasure journal the restored database has the name again: why it matters.
    bare = await asyncio.to_thread(
        script, RESTORE, "--identity", str(identity), "--no-journal", str(backup), env=restore_env
    )
    assert bare.returncode == 0, bare.stdout + bare.stderr
    assert SURNAME.casefold() in pg_dump_text(drill.url).casefold()

    # A database with tables is refused: a restore never overwrites a live one.
    busy = await asyncio.to_thread(
        script, RESTORE, "--identity", str(identity), "--no-journal", str(backup), env=restore_env
    )
    assert busy.returncode == 2 and "restore into an empty one" in busy.stderr

    restore_env["WERKPLAATS_DATABASE_URL"] = await drill.fresh()
    # The wrong key cannot read it.
    other = tmp_path / "other-key.txt"
    await asyncio.to_thread(
        subprocess.run, ["age-keygen", "-o", str(other)], check=True, capture_output=True
    )
    wrong = await asyncio.to_thread(
        script,
        RESTORE,
        "--identity",
        str(other),
        "--journal",
        str(journal),
        str(backup),
        env=restore_env,
    )
    assert wrong.returncode == 1 and "decrypting or restoring failed" in wrong.stderr

    restore_env["WERKPLAATS_DATABASE_URL"] = await drill.fresh()
    restored = await asyncio.to_thread(
        script,
        RESTORE,
        "--identity",
        str(identity),
        "--journal",
        str(journal),
        str(backup),
        env=restore_env,
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "1 erasure(s) recorded" in restored.stdout
    everything = pg_dump_text(drill.url)
    assert held.public_id in everything and "Bram Bakker" in everything, "restored nothing"
    assert SURNAME.casefold() not in everything.casefold()
    assert NAME.split()[0].casefold() not in everything.casefold()


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with prepared_server("sqlite", tmp_path_factory.mktemp("backup-sqlite")) as server:
        with running(server):
            yield server


def sqlite_text(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


async def test_restore_drill_on_sqlite(
    sqlite_server: Server, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """The one-process shape: SQLite's online backup while the server runs, the same drill."""
    server = sqlite_server
    identity, recipients = keys
    held = await hold_session(server, NAME, "group")
    await Client.close_all()
    backups = tmp_path / "backups"
    made = await asyncio.to_thread(
        script,
        BACKUP,
        env={
            "WERKPLAATS_DATABASE_URL": server.database_url,
            "BACKUP_DIR": str(backups),
            "BACKUP_RECIPIENTS_FILE": str(recipients),
        },
    )
    assert made.returncode == 0, made.stderr
    (backup,) = backups.iterdir()
    assert backup.name.endswith("Z.sqlite3.age")
    raw = backup.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n") and b"SQLite format" not in raw
    for word in (NAME, SURNAME, "Bram Bakker", held.public_id):
        assert word.casefold().encode() not in raw.lower(), word

    erased = await asyncio.to_thread(run, "erase", "--name", NAME, "--yes", env=server.env)
    assert erased.returncode == 0, erased.stderr

    target = tmp_path / "restored" / "werkplaats.sqlite3"
    restore_env = {
        "WERKPLAATS_DATABASE_URL": f"sqlite:///{target}",
        "WERKPLAATS_DATA_DIR": str(target.parent),
        "WERKPLAATS_BIN": WERKPLAATS,
    }
    journal = str(server.data_dir / "erasures.log")
    restored = await asyncio.to_thread(
        script,
        RESTORE,
        "--identity",
        str(identity),
        "--journal",
        journal,
        str(backup),
        env=restore_env,
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    everything = await asyncio.to_thread(sqlite_text, target)
    assert held.public_id in everything and "Bram Bakker" in everything, "restored nothing"
    assert SURNAME.casefold() not in everything.casefold()
    # An existing file is never overwritten.
    again = await asyncio.to_thread(
        script,
        RESTORE,
        "--identity",
        str(identity),
        "--journal",
        journal,
        str(backup),
        env=restore_env,
    )
    assert again.returncode == 2 and "exists" in again.stderr


def test_backup_refuses_bad_settings_and_writes_nothing(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    base = {
        "WERKPLAATS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "BACKUP_DIR": str(backups),
        "BACKUP_RECIPIENTS_FILE": str(tmp_path / "missing.txt"),
    }
    cases = [
        ({}, "no recipients file"),
        ({"BACKUP_KEEP_DAYS": "a month"}, "BACKUP_KEEP_DAYS"),
        ({"WERKPLAATS_DATABASE_URL": "sqlite:///nowhere/x.sqlite3"}, "no SQLite database"),
        ({"WERKPLAATS_DATABASE_URL": "", "WERKPLAATS_DATA_DIR": str(tmp_path)}, "no SQLite"),
        ({"WERKPLAATS_DATABASE_URL": "mysql://x"}, "neither postgresql:// nor sqlite:///"),
    ]
    for extra, message in cases:
        done = script(BACKUP, env={**base, **extra})
        assert done.returncode == 2, (extra, done.stderr)
        assert message in done.stderr, (extra, done.stderr)
    assert not backups.exists() or not list(backups.iterdir())


def test_a_failed_dump_keeps_nothing_and_prunes_nothing(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    _, recipients = keys
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "werkplaats-2020-01-01T000000Z.dump.age"
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    done = script(
        BACKUP,
        env={
            "WERKPLAATS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            "BACKUP_DIR": str(backups),
            "BACKUP_RECIPIENTS_FILE": str(recipients),
        },
    )
    assert done.returncode == 1 and "nothing was kept" in done.stderr
    assert [p.name for p in backups.iterdir()] == [old.name], "a failed run left or pruned files"


# --- how they are run ---------------------------------------------------------------------------


def test_systemd_analyze_verifies_the_backup_and_retention_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    system = Path("/usr/lib/systemd/system")
    units = tmp_path / "etc" / "systemd" / "system"
    shutil.copytree(system, tmp_path / "usr" / "lib" / "systemd" / "system", symlinks=True)
    units.mkdir(parents=True)
    names = [
        "werkplaats-backup.service",
        "werkplaats-backup.timer",
        "werkplaats-retention.service",
        "werkplaats-retention.timer",
    ]
    for name in names:
        shutil.copy(SYSTEMD / name, units / name)
    for command in ("opt/werkplaats/venv/bin/werkplaats", "usr/local/bin/werkplaats-backup"):
        path = tmp_path / command
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    (tmp_path / "etc" / "werkplaats").mkdir()
    (tmp_path / "etc" / "werkplaats" / "werkplaats.env").write_text("")
    done = subprocess.run(
        [analyze, "verify", f"--root={tmp_path}", "--man=no", *names],
        cwd=units,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), (
        done.stdout + done.stderr
    )
    backup = (SYSTEMD / "werkplaats-backup.service").read_text()
    assert "ExecStart=/usr/local/bin/werkplaats-backup" in backup
    assert "User=werkplaats" in backup
    assert "EnvironmentFile=/etc/werkplaats/werkplaats.env" in backup
    retention = (SYSTEMD / "werkplaats-retention.service").read_text()
    assert "ExecStart=/opt/werkplaats/venv/bin/werkplaats retain" in retention
    for timer in ("werkplaats-backup.timer", "werkplaats-retention.timer"):
        text = (SYSTEMD / timer).read_text()
        assert "OnCalendar=" in text and "Persistent=true" in text, timer


def test_compose_runs_the_backup_and_retention_daily() -> None:
    services = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
    backup = services["backup"]
    assert backup["build"]["context"] == "./backup"
    assert backup["command"] == ["02:30", "werkplaats-backup"]
    assert "@postgres:5432/werkplaats" in backup["environment"]["WERKPLAATS_DATABASE_URL"]
    mounts = [str(v) for v in backup["volumes"]]
    assert any(m.endswith(":/etc/werkplaats/backup-recipients.txt:ro") for m in mounts)
    assert any(m.endswith(":/backups") for m in mounts)
    assert backup["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "ports" not in backup and backup["networks"] == ["back"]
    retention = services["retention"]
    assert retention["entrypoint"][-3:] == ["03:30", "werkplaats", "retain"]
    assert retention["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    daily = subprocess.run(["sh", "-n", str(ROOT / "deploy" / "backup" / "daily")], check=False)
    assert daily.returncode == 0
    refused = subprocess.run(
        ["sh", str(ROOT / "deploy" / "backup" / "daily"), "25h", "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "usage: daily HH:MM" in refused.stderr
    # It waits until the next HH:MM UTC (here: five minutes from now), then runs, each day.
    started = time.time()
    target = int(started + 300) // 60 * 60  # that HH:MM's moment
    at = time.gmtime(target)
    when = f"{at.tm_hour:02}:{at.tm_min:02}"
    with subprocess.Popen(
        ["sh", str(ROOT / "deploy" / "backup" / "daily"), when, "true"],
        stdout=subprocess.PIPE,
        text=True,
    ) as loop:
        assert loop.stdout is not None
        first = loop.stdout.readline()
        read = time.time()
        loop.terminate()
        assert loop.wait(timeout=10) == 0, "SIGTERM ends it cleanly"
    seconds = int(re.search(r"in (\d+) s", first)[1])  # type: ignore[index]
    # It read the clock (whole seconds) between our two readings: 240 to 300 s when it starts
    # at once, fewer when a loaded machine starts it late across the turn of a minute.
    assert target - int(read) <= seconds <= target - int(started), first
