"""Monitoring (issue 14): the shipped alert rules, their unit tests, the Prometheus
configuration, the Grafana dashboard and nginx's stub_status, checked with the real tools,
and every werkplaats_* metric they use read from a real server's /metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.deploy.deploy_files import nginx_or_skip
from tests.ports import free_port
from tests.sessions.live import Server, prepared_server, running

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "werkplaats-alerts.yml"
RULE_TESTS = MONITORING / "werkplaats-alerts.test.yml"
DASHBOARD = MONITORING / "grafana" / "werkplaats.json"
# The series our own processes serve (the exporters' names are theirs).
OURS = re.compile(r"\b((?:werkplaats|process)_[a-z0-9_]+)")
# ...except these, which deploy/backup/werkplaats-backup writes for node_exporter's textfile
# collector (tests/deploy/test_backup.py reads them from a real run).
BACKUP_METRICS = re.compile(r"\bwerkplaats_backup_[a-z0-9_]+")


def promtool(*args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess[str]:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed (Debian: prometheus; .ci/run installs it)")
    return subprocess.run(
        [found, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def rule_exprs() -> list[str]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [str(rule["expr"]) for group in groups for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [
        str(target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]


def test_promtool_checks_the_rules() -> None:
    done = promtool("check", "rules", RULES.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    done = promtool("test", "rules", RULE_TESTS.name)
    assert done.returncode == 0, done.stdout + done.stderr
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text(encoding="utf-8")))
    assert {"WerkplaatsBusReconnects", "WerkplaatsSlowCommits", "CertificateExpiresSoon"} <= tested


def test_every_alert_says_how_bad_and_what() -> None:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    for rule in (rule for group in groups for rule in group["rules"]):
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_the_prometheus_configuration_is_valid(tmp_path: Path) -> None:
    for path in (MONITORING / "prometheus.yml", RULES):
        shutil.copy(path, tmp_path / path.name)
    done = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    jobs = {
        job["job_name"]
        for job in yaml.safe_load((MONITORING / "prometheus.yml").read_text())["scrape_configs"]
    }
    used = set(re.findall(r'job="([\w-]+)"', RULES.read_text() + DASHBOARD.read_text()))
    assert used <= jobs, f"rules or dashboard use jobs prometheus.yml lacks: {used - jobs}"


def test_the_dashboard_is_valid_grafana_json_with_valid_queries(tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and dashboard["panels"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in dashboard["panels"]:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), panel["title"]
        if panel["type"] != "row":
            assert panel["targets"], f"{panel['title']} has no query"
    # Every query parses as PromQL: promtool checks them as recording rules (Grafana's
    # $__rate_interval replaced by what it stands for).
    exprs = [e.replace("$__rate_interval", "1m") for e in dashboard_exprs()]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:q{i}", "expr": e} for i, e in enumerate(exprs)],
            }
        ]
    }
    (tmp_path / "dashboard-queries.yml").write_text(yaml.safe_dump(rules))
    done = promtool("check", "rules", "dashboard-queries.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with prepared_server("sqlite", tmp_path_factory.mktemp("monitoring")) as server:
        with running(server):
            yield server


def test_every_metric_the_rules_and_dashboard_use_is_served(server: Server) -> None:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    served = {
        re.split(r"[{\s]", line, maxsplit=1)[0]
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    exprs = [*rule_exprs(), *dashboard_exprs()]
    backup = {name for expr in exprs for name in BACKUP_METRICS.findall(expr)}
    used = {name for expr in exprs for name in OURS.findall(expr)} - backup
    assert any(name.startswith("werkplaats_") for name in used)
    assert used <= served, f"not on /metrics: {sorted(used - served)}"
    script = (ROOT / "deploy" / "backup" / "werkplaats-backup").read_text()
    assert backup and backup <= set(BACKUP_METRICS.findall(script)), backup


def test_nginx_serves_stub_status_on_loopback(tmp_path: Path) -> None:
    nginx = nginx_or_skip()
    port = free_port()
    site = (MONITORING / "nginx-stub-status.conf").read_text().replace("8080", str(port))
    (tmp_path / "status.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{\n  include {tmp_path}/status.conf;\n}}\n"
    )
    command = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
    command += ["-c", str(tmp_path / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/stub_status", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.05)
        # What nginx-prometheus-exporter parses into nginx_connections_active and the rest.
        assert answer.status_code == 200
        assert re.match(r"Active connections: \d+", answer.text), answer.text
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)
