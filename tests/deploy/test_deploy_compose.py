"""What an operator relies on in deploy/compose.yaml: services, settings, the nginx entrypoint.

Containers cannot run here, so compose.yaml is read and checked, and compose's nginx
entrypoint runs with `nginx -t`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from server.settings import DOCUMENTED
from tests.deploy.deploy_files import COMPOSE, COMPOSE_SITE, DEPLOY, SITE, nginx_or_skip

# --- compose ------------------------------------------------------------------------------------


def _compose() -> dict[str, object]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _services() -> dict[str, dict[str, object]]:
    services = _compose()["services"]
    assert isinstance(services, dict)
    return services


def _serve_services() -> dict[str, dict[str, object]]:
    return {
        name: service
        for name, service in _services().items()
        if isinstance(service.get("command"), list) and service["command"][:1] == ["serve"]
    }


def _environment(service: dict[str, object]) -> dict[str, str]:
    environment = service.get("environment") or {}
    assert isinstance(environment, dict), "write environment as a mapping"
    return {str(k): str(v) for k, v in environment.items()}


def test_compose_runs_postgres_migrations_two_serve_processes_on_the_bus_and_nginx() -> None:
    services = _services()
    assert {"postgres", "migrate", "nginx"} <= set(services)
    assert str(services["postgres"]["image"]).startswith("postgres:")
    assert "pg_isready" in str(services["postgres"]["healthcheck"])
    assert str(services["nginx"]["image"]).startswith("nginx:")

    migrate = services["migrate"]
    assert "werkplaats migrate" in " ".join(map(str, migrate["command"]))
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"

    serving = _serve_services()
    assert len(serving) >= 2, "compose needs two or more `werkplaats serve` processes"
    keys = set()
    for name, service in serving.items():
        env = _environment(service)
        assert env["WERKPLAATS_BUS_URL"].startswith("postgres"), name
        assert env["WERKPLAATS_DATABASE_URL"].startswith("postgresql://"), name
        assert "@postgres:" in env["WERKPLAATS_DATABASE_URL"], name
        keys.add(env["WERKPLAATS_SECRET_KEY"])
        assert service["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }, name
        assert service.get("stop_grace_period"), name
        assert service.get("stop_signal", "SIGTERM") == "SIGTERM", name
        assert "ports" not in service, f"{name} publishes a port; only nginx should"
        assert service.get("user") in (None, "werkplaats", "10001"), name
        assert _environment(migrate)["WERKPLAATS_DATABASE_URL"] == env["WERKPLAATS_DATABASE_URL"]
    assert len(keys) == 1, "every serve process must sign cookies with the same key"
    assert keys.pop().startswith("${WERKPLAATS_SECRET_KEY:?"), "the key must come from .env"
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["nginx"]


def test_compose_sets_only_settings_that_exist() -> None:
    for name, service in _services().items():
        for key in _environment(service):
            if key.startswith("WERKPLAATS_") and name != "nginx":
                assert key in DOCUMENTED, f"{name}: {key} is no setting of server/settings.py"


def test_compose_nginx_serves_the_shipped_site_with_web1_and_web2_as_upstream() -> None:
    services = _services()
    nginx = services["nginx"]
    volumes = [str(volume).split(":")[:2] for volume in nginx["volumes"]]
    mounted = {source: target for source, target in volumes}
    for source in mounted:
        if source.startswith("."):
            assert (DEPLOY / source).exists(), f"nginx mounts {source}, which does not exist"
    assert mounted["./nginx/werkplaats.conf"] == "/etc/werkplaats/werkplaats.conf"
    assert mounted["./nginx/compose-site.sh"] == "/etc/werkplaats/compose-site.sh"
    assert nginx["entrypoint"] == ["/bin/sh", "/etc/werkplaats/compose-site.sh"]

    env = _environment(nginx)
    upstreams = {env["WERKPLAATS_UPSTREAM_1"], env["WERKPLAATS_UPSTREAM_2"]}
    addresses = {
        f"{service['networks']['front']['ipv4_address']}:8000"
        for service in _serve_services().values()
    }
    assert upstreams == addresses, "nginx's upstream must be the serve services' addresses"
    assert set(nginx["depends_on"]) == set(_serve_services())


def _compose_site(tmp_path: Path) -> str:
    out = tmp_path / "default.conf"
    nginx_env = _environment(_services()["nginx"])
    env = {
        "PATH": "/usr/bin:/bin",
        "SITE": str(SITE),
        "OUT": str(out),
        "WERKPLAATS_SERVER_NAME": "werkplaats.test",
        "WERKPLAATS_UPSTREAM_1": nginx_env["WERKPLAATS_UPSTREAM_1"],
        "WERKPLAATS_UPSTREAM_2": nginx_env["WERKPLAATS_UPSTREAM_2"],
    }
    subprocess.run(["sh", str(COMPOSE_SITE), "true"], env=env, check=True, timeout=30)
    return out.read_text(encoding="utf-8")


def test_compose_nginx_changes_only_the_upstream_servers_and_the_name(tmp_path: Path) -> None:
    shipped = SITE.read_text(encoding="utf-8").splitlines()
    composed = _compose_site(tmp_path).splitlines()
    if not Path("/proc/net/if_inet6").exists():
        shipped = [line for line in shipped if not line.strip().startswith("listen [::]")]
    assert len(composed) == len(shipped)
    changed = [(a, b) for a, b in zip(shipped, composed, strict=True) if a != b]
    assert changed
    for before, after in changed:
        assert "127.0.0.1:800" in before or "werkplaats.example.org" in before, (before, after)
    assert sum("172.30.42." in after for _, after in changed) == 2


def test_compose_nginx_refuses_a_site_it_no_longer_understands(tmp_path: Path) -> None:
    site = tmp_path / "werkplaats.conf"
    site.write_text(SITE.read_text(encoding="utf-8").replace("127.0.0.1:8002", "[::1]:8002"))
    env = {
        "PATH": "/usr/bin:/bin",
        "SITE": str(site),
        "OUT": str(tmp_path / "out.conf"),
        "WERKPLAATS_SERVER_NAME": "werkplaats.test",
        "WERKPLAATS_UPSTREAM_1": "172.30.42.11:8000",
        "WERKPLAATS_UPSTREAM_2": "172.30.42.12:8000",
    }
    done = subprocess.run(
        ["sh", str(COMPOSE_SITE), "true"], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0
    assert "no longer contains 'server 127.0.0.1:8002 '" in done.stderr
    assert not (tmp_path / "out.conf").exists()


def test_compose_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = nginx_or_skip()
    site = _compose_site(tmp_path)
    certs = tmp_path / "letsencrypt" / "live" / "werkplaats.test"
    certs.mkdir(parents=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=werkplaats.test", "-keyout", str(certs / "privkey.pem")),
            *("-out", str(certs / "fullchain.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    # certbot's chain.pem; a self-signed certificate is its own chain.
    shutil.copy(certs / "fullchain.pem", certs / "chain.pem")
    logs = tmp_path / "log"
    logs.mkdir()
    site = site.replace("/etc/letsencrypt", str(certs.parents[1]))
    (tmp_path / "site.conf").write_text(site.replace("/var/log/nginx", str(logs)))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        [
            *(nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")),
            *("-c", str(tmp_path / "nginx.conf")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # OCSP stapling is on, and a certificate without an OCSP address (a throw-away one, or
    # Let's Encrypt's since 2025) is served without a staple rather than refused.
    assert '"ssl_stapling" ignored, no OCSP responder URL in the certificate' in done.stderr
