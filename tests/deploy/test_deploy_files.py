"""What an operator relies on in deploy/: the image, compose, systemd, the env file, the README.

Containers cannot run on this project's machines, so the Dockerfile and compose.yaml are read
and checked here, and what can run without a container engine does run: the image's health
check command, compose's nginx entrypoint with `nginx -t`, and `systemd-analyze verify`.
"""

from __future__ import annotations

import fnmatch
import http.server
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from server.settings import DOCUMENTED

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
SITE = DEPLOY / "nginx" / "werkplaats.conf"
COMPOSE_SITE = DEPLOY / "nginx" / "compose-site.sh"
SERVE_UNIT = DEPLOY / "systemd" / "werkplaats@.service"
MIGRATE_UNIT = DEPLOY / "systemd" / "werkplaats-migrate.service"
ENV_EXAMPLE = DEPLOY / "env.example"
README = DEPLOY / "README.md"

COMPILERS = re.compile(
    r"\b(gcc|g\+\+|cc|clang|make|build-essential|python3?-dev|libc6?-dev|apt-get|apk|"
    r"pip\s+install|cargo|rustc)\b"
)


# --- the Dockerfile ---------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"the stage FROM {self.base} has no {keyword}"
        return found[-1]


def dockerfile_stages(text: str) -> list[Stage]:
    """The stages of a Dockerfile, each with its instructions (continuations joined)."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or not stripped:
            continue  # comments and blank lines, also inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    stages: list[Stage] = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        args = args.strip()
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif stages:
            stages[-1].instructions.append((keyword, args))
    return stages


def _stages() -> list[Stage]:
    return dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))


def _arg_defaults(stage: Stage) -> dict[str, str]:
    defaults = {}
    for args in stage.all("ARG"):
        name, _, value = args.partition("=")
        defaults[name.strip()] = value.strip()
    return defaults


def _expand(text: str, defaults: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: defaults.get(m[1] or m[2], m[0]), text)


def test_the_image_is_built_in_one_stage_and_run_from_another() -> None:
    stages = _stages()
    assert len(stages) >= 2, "the Dockerfile must be multi-stage"
    builder, final = stages[0], stages[-1]
    assert builder.name, "the builder stage needs a name for COPY --from"
    copies_from = [args for args in final.all("COPY") if args.startswith("--from=")]
    assert copies_from, "the final stage copies nothing from the builder"
    for args in copies_from:
        assert args.split()[0] == f"--from={builder.name}"
        assert args.split()[1:] == ["/opt/venv", "/opt/venv"], (
            f"the final stage should copy only the venv from the builder, not {args!r}"
        )


def test_the_builder_builds_the_de_identification_cache_into_the_venv() -> None:
    """deduce builds its lookup cache in its own package directory on first use (about 90 s):
    the image must carry it, since the final stage's venv belongs to root and a server must
    never build it in a request."""
    builder = _stages()[0]
    runs = builder.all("RUN")
    install = next(i for i, run in enumerate(runs) if "werkplaats-*.whl" in run)
    builds = [i for i, run in enumerate(runs) if "deidentify.build()" in run]
    assert builds and builds[0] > install, "the builder must build deduce's cache after install"
    assert "/opt/venv/bin/python" in runs[builds[0]]


def test_the_builder_builds_the_wheel_of_every_package_and_installs_it_with_dependencies() -> None:
    builder = _stages()[0]
    runs = " ".join(builder.all("RUN"))
    assert re.search(r"pip wheel --no-deps|-m build\b", runs), "the builder must build the wheel"
    assert re.search(r"install .*werkplaats-\*\.whl", runs), "the builder must install the wheel"
    assert "/opt/venv" in runs
    assert "--no-deps" not in runs.split("install", 1)[1], "the install must bring dependencies"

    copied: set[str] = set()
    for args in builder.all("COPY"):
        sources = [word for word in args.split() if not word.startswith("--")][:-1]
        copied.update(source.rstrip("/") for source in sources)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    needed = {"pyproject.toml", pyproject["project"]["readme"], "LICENSE", *packages}
    assert needed <= copied, f"the builder does not copy {sorted(needed - copied)}"
    ignored = _dockerignored(sorted(copied))
    assert not ignored, f".dockerignore keeps out of the build context what is copied: {ignored}"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"


def _dockerignored(paths: list[str]) -> list[str]:
    """Which of these paths the repository root's .dockerignore excludes (last match wins)."""
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    excluded = []
    for path in paths:
        out = False
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule.lstrip("!").strip("/")
            candidates = {pattern, pattern.removeprefix("**/")}
            if any(
                fnmatch.fnmatch(path, c) or fnmatch.fnmatch(path.split("/")[-1], c)
                for c in candidates
            ):
                out = not negate
        if out:
            excluded.append(path)
    return excluded


def test_the_dockerignore_keeps_secrets_and_local_state_out_of_the_context() -> None:
    assert _dockerignored([".git", ".venv", "data", "deploy/.env", "x/__pycache__"]) == [
        ".git",
        ".venv",
        "data",
        "deploy/.env",
        "x/__pycache__",
    ]


def test_the_final_image_runs_as_an_unprivileged_user_without_compilers() -> None:
    final = _stages()[-1]
    defaults = _arg_defaults(final)
    user = _expand(final.last("USER"), defaults)
    assert user.split(":")[0] not in ("root", "0", ""), f"USER {user} is root"
    assert "$" not in user, f"USER {user}: an ARG without a default"
    for run in final.all("RUN"):
        assert not COMPILERS.search(run), f"the final stage installs or builds: RUN {run}"
    assert final.base == _stages()[0].base, "builder and final stage should share the Python"
    env = " ".join(final.all("ENV"))
    assert "WERKPLAATS_DATA_DIR=/var/lib/werkplaats" in env
    assert "WERKPLAATS_LOG_FORMAT=json" in env
    assert final.last("WORKDIR") == "/var/lib/werkplaats"


def test_the_image_serves_on_8000_stops_on_sigterm_and_starts_werkplaats_serve() -> None:
    final = _stages()[-1]
    assert final.last("EXPOSE") == "8000"
    assert final.last("STOPSIGNAL") == "SIGTERM"
    assert final.last("ENTRYPOINT") == '["werkplaats"]'
    assert final.last("CMD") == '["serve", "--host", "0.0.0.0", "--port", "8000"]'


def _healthcheck_command() -> list[str]:
    healthcheck = _stages()[-1].last("HEALTHCHECK")
    assert "CMD" in healthcheck
    exec_form = healthcheck.split("CMD", 1)[1].strip()
    assert exec_form.startswith("["), "the health check should use the exec form (no shell)"
    command = yaml.safe_load(exec_form)  # a JSON array
    assert isinstance(command, list)
    return [str(word) for word in command]


@dataclass
class _Health:
    status: int = 200


@pytest.fixture
def healthz() -> Iterator[tuple[int, _Health]]:
    """A stand-in server whose /healthz answers with the status the test sets."""
    health = _Health()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = health.status if self.path == "/healthz" else 404
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], health
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_asks_healthz_with_python_alone_and_fails_on_503(
    healthz: tuple[int, _Health],
) -> None:
    command = _healthcheck_command()
    assert not {"curl", "wget"} & set(command), "the slim image has neither curl nor wget"
    assert command[0] == "python"
    assert "http://127.0.0.1:8000/healthz" in command[-1]
    port, health = healthz
    command = [sys.executable, *command[1:-1], command[-1].replace(":8000/", f":{port}/")]

    def run() -> int:
        return subprocess.run(command, capture_output=True, timeout=30).returncode

    assert run() == 0
    health.status = 503  # what /healthz says when the database is unreachable
    assert run() != 0


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


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    return found


def test_compose_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _nginx()
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


def _site_directives() -> list[tuple[str, str]]:
    """The shipped site's directives as (name, arguments), comments dropped, in order."""
    text = "\n".join(
        line.split("#", 1)[0] for line in SITE.read_text(encoding="utf-8").splitlines()
    )
    return [(m[1], " ".join(m[2].split())) for m in re.finditer(r"([a-z_]+)\s+([^;{}]*)[;{]", text)]


def _site_values(name: str) -> list[str]:
    return [args for directive, args in _site_directives() if directive == name]


def test_the_site_never_marks_a_process_down_and_passes_a_refused_request_on() -> None:
    # max_fails=1 let one request per fail_timeout reach a process that had refused once,
    # until a request to it finished, which a websocket does only when it closes: lock-outs
    # after a restart (issue 14). tests/deploy/test_topology.py shows the behaviour.
    servers = _site_values("server")
    upstreams = [args for args in servers if args.startswith("127.0.0.1:")]
    assert upstreams == ["127.0.0.1:8001 max_fails=0", "127.0.0.1:8002 max_fails=0"]
    assert _site_values("proxy_next_upstream") == ["error timeout", "error timeout"]


def test_the_site_logs_no_addresses_and_no_query_strings() -> None:
    formats = [args for args in _site_values("log_format") if args.startswith("werkplaats_private")]
    assert len(formats) == 1
    for personal in (
        "$remote_addr",
        "$request ",
        "$request_uri",
        "$args",
        "$query_string",
        "$http_referer",
        "$http_user_agent",
        "$http_x_forwarded_for",
    ):
        assert personal not in formats[0] + " ", personal
    # Both servers (HTTP and HTTPS) log in that format, and nowhere else.
    assert _site_values("access_log") == ["/var/log/nginx/access.log werkplaats_private"] * 2


def test_the_site_refuses_bodies_over_the_app_limit() -> None:
    from server.settings import DEFAULT_MAX_BODY_BYTES

    (limit,) = _site_values("client_max_body_size")
    assert limit.endswith("k") and int(limit[:-1]) * 1024 == DEFAULT_MAX_BODY_BYTES


def test_the_site_hides_its_version_and_staples_ocsp() -> None:
    assert _site_values("server_tokens") == ["off", "off"]
    assert _site_values("ssl_session_tickets") == ["off"]
    assert _site_values("ssl_stapling") == ["on"]
    assert _site_values("ssl_stapling_verify") == ["on"]
    assert _site_values("ssl_protocols") == ["TLSv1.2 TLSv1.3"]


class _Ocsp:
    """A CA that runs OCSP (as PKIoverheid does), a certificate of it for 127.0.0.1 naming its
    responder, and the responder (`openssl ocsp`), signing with `signer`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        openssl = ("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2")
        for name, subject in (("ca", "Werkplaats test CA"), ("rogue", "Someone else")):
            self._run(
                *openssl,
                *("-subj", f"/CN={subject}", "-keyout", f"{name}.key", "-out", f"{name}.pem"),
                *("-addext", "basicConstraints=critical,CA:TRUE"),
                *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
            )
        self._run(
            *("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "privkey.pem"),
            *("-subj", "/CN=127.0.0.1", "-out", "request.pem"),
        )
        (root / "ext.cnf").write_text(
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
            f"authorityInfoAccess=OCSP;URI:http://127.0.0.1:{self.port}\n"
        )
        self._run(
            *("openssl", "x509", "-req", "-in", "request.pem", "-CA", "ca.pem", "-CAkey", "ca.key"),
            *("-set_serial", "0x1001", "-days", "1", "-extfile", "ext.cnf", "-out", "cert.pem"),
        )
        # The responder's database: this one certificate, valid.
        (root / "index.txt").write_text("V\t491231235959Z\t\t1001\tunknown\t/CN=127.0.0.1\n")

    def _run(self, *command: str) -> None:
        subprocess.run(command, cwd=self.root, check=True, capture_output=True, timeout=60)

    def responder(self, signer: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                *("openssl", "ocsp", "-index", "index.txt", "-port", str(self.port)),
                *("-rsigner", f"{signer}.pem", "-rkey", f"{signer}.key", "-CA", "ca.pem"),
                "-ignore_err",
            ],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_site(root: Path, certs: Path) -> tuple[int, Path]:
    """The shipped site on a loopback port with `certs` (certbot's layout), nginx started;
    its port and its error log."""
    port = _free_port()
    site = SITE.read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/werkplaats.example.org", str(certs))
    site = site.replace("/var/log/nginx", str(root))
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (root / "site.conf").write_text(site)
    error_log = root / "error.log"
    (root / "nginx.conf").write_text(
        f"pid {root}/nginx.pid;\nerror_log {error_log} info;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {root}/site.conf;\n}}\n"
    )
    subprocess.run(
        [_nginx(), "-p", str(root), "-c", str(root / "nginx.conf")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return port, error_log


def _stop_site(root: Path) -> None:
    pid_file = root / "nginx.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGQUIT)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def _status(port: int, ca: Path) -> str:
    """What `openssl s_client -status` says about the stapled OCSP answer."""
    done = subprocess.run(
        [
            *("openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-status"),
            *("-CAfile", str(ca)),
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.stdout


@pytest.mark.parametrize("signer", ["ca", "rogue"])
def test_the_site_staples_a_verified_ocsp_answer_and_never_a_forged_one(
    tmp_path: Path, signer: str
) -> None:
    """With a CA that runs OCSP, nginx fetches the answer, checks it against
    ssl_trusted_certificate (certbot's chain.pem) and staples it; an answer not signed by the
    CA is not stapled."""
    _nginx()
    ocsp = _Ocsp(tmp_path)
    certs = tmp_path / "live"
    certs.mkdir()
    (certs / "fullchain.pem").write_text((tmp_path / "cert.pem").read_text())
    shutil.copy(tmp_path / "privkey.pem", certs / "privkey.pem")
    shutil.copy(tmp_path / "ca.pem", certs / "chain.pem")
    responder = ocsp.responder(signer)
    try:
        port, error_log = _serve_site(tmp_path, certs)
        # nginx asks the responder at the first handshake and staples from the next ones.
        output = ""
        for _ in range(40):
            output = _status(port, tmp_path / "ca.pem")
            log = error_log.read_text()
            if "Cert Status: good" in output or "OCSP_basic_verify() failed" in log:
                break
            time.sleep(0.25)
        if signer == "ca":
            assert "OCSP Response Status: successful" in output, output
            assert "Cert Status: good" in output, output
        else:
            assert "OCSP_basic_verify() failed" in error_log.read_text()
            output = _status(port, tmp_path / "ca.pem")
            assert "OCSP response: no response sent" in output, output
    finally:
        _stop_site(tmp_path)
        responder.terminate()
        responder.wait(timeout=10)


# --- systemd ------------------------------------------------------------------------------------


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections, each key with every value it was given, in order."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "ReadWritePaths": "/var/lib/werkplaats",
}


def test_the_serve_unit_runs_one_unprivileged_process_per_port_and_stops_it_with_sigterm() -> None:
    service = unit(SERVE_UNIT)["Service"]
    assert service["User"] == ["werkplaats"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert service["TimeoutStopSec"] == ["30"]
    assert service["Restart"] == ["on-failure"]
    assert service["EnvironmentFile"] == ["/etc/werkplaats/werkplaats.env"]
    [exec_start] = service["ExecStart"]
    assert shlex.split(exec_start) == [
        "/opt/werkplaats/venv/bin/werkplaats",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "%i",
    ]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], key
    assert unit(SERVE_UNIT)["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_migrate_unit_runs_before_every_serve_process() -> None:
    serve = unit(SERVE_UNIT)["Unit"]
    assert "werkplaats-migrate.service" in " ".join(serve["Wants"])
    assert "Requires" not in serve, "a migration failed at boot would fail the serve units"
    assert unit(SERVE_UNIT)["Service"]["RestartSec"] == ["5"]
    assert "werkplaats-migrate.service" in " ".join(serve["After"])
    migrate = unit(MIGRATE_UNIT)["Service"]
    assert migrate["Type"] == ["oneshot"]
    assert migrate["User"] == ["werkplaats"]
    assert migrate["ExecStart"] == ["/opt/werkplaats/venv/bin/werkplaats migrate"]
    assert migrate["EnvironmentFile"] == unit(SERVE_UNIT)["Service"]["EnvironmentFile"]
    for key, value in HARDENING.items():
        assert migrate.get(key) == [value], key


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    system = Path("/usr/lib/systemd/system")
    units = tmp_path / "etc" / "systemd" / "system"
    shutil.copytree(system, tmp_path / "usr" / "lib" / "systemd" / "system", symlinks=True)
    units.mkdir(parents=True)
    for path in (SERVE_UNIT, MIGRATE_UNIT):
        shutil.copy(path, units / path.name)
    command = tmp_path / "opt" / "werkplaats" / "venv" / "bin" / "werkplaats"
    command.parent.mkdir(parents=True)
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    (tmp_path / "etc" / "werkplaats").mkdir()
    (tmp_path / "etc" / "werkplaats" / "werkplaats.env").write_text("")
    done = subprocess.run(
        [
            *(analyze, "verify", f"--root={tmp_path}", "--man=no"),
            *("werkplaats-migrate.service", "werkplaats@8001.service", "werkplaats@8002.service"),
        ],
        cwd=units,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # verify exits 0 on unknown keys and bad values too; it only says so.
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), (
        done.stdout + done.stderr
    )


# --- env.example and the README -------------------------------------------------------------------


def test_env_example_lists_exactly_the_documented_settings() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    names = re.findall(r"^#?\s*(WERKPLAATS_[A-Z_]+)=", text, flags=re.MULTILINE)
    assert len(names) == len(set(names)), "a setting is listed twice"
    assert set(names) == set(DOCUMENTED), (
        f"missing: {sorted(set(DOCUMENTED) - set(names))}; "
        f"unknown: {sorted(set(names) - set(DOCUMENTED))}"
    )
    assert "secrets.token_urlsafe(48)" in text


def test_every_relative_link_in_the_deploy_readme_resolves() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [t for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]
    assert relative, "the README links nothing"
    for target in relative:
        path = (README.parent / target.split("#", 1)[0]).resolve()
        assert path.exists(), f"deploy/README.md links {target}, which does not exist"


def test_the_main_readme_links_the_deploy_readme() -> None:
    assert "(deploy/README.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
