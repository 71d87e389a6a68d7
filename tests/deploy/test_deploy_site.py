"""What an operator relies on in deploy/nginx/werkplaats.conf: upstreams, logs, limits, OCSP."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.deploy.deploy_files import SITE, nginx_or_skip
from tests.ports import free_port


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
        self.port = free_port()
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
        """The responder, once it takes connections: nginx asks it once, at the first
        handshake, and after a failed fetch (nothing listening yet, as a loaded machine now and
        then had it) staples nothing for minutes."""
        process = subprocess.Popen(
            [
                *("openssl", "ocsp", "-index", "index.txt", "-port", str(self.port)),
                *("-rsigner", f"{signer}.pem", "-rkey", f"{signer}.key", "-CA", "ca.pem"),
                "-ignore_err",
            ],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Not by connecting: the responder serves one connection at a time and takes an
        # empty one badly. The kernel's table of sockets says when it listens.
        deadline = time.monotonic() + 30
        while not _listening(self.port):
            assert process.poll() is None, "the OCSP responder ended"
            assert time.monotonic() < deadline, "the OCSP responder did not listen"
            time.sleep(0.05)
        return process


def _listening(port: int) -> bool:
    """Whether a socket listens on this TCP port (Linux's /proc/net/tcp: state 0A)."""
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                return True
    return False


def _serve_site(root: Path, certs: Path) -> tuple[int, Path]:
    """The shipped site on a loopback port with `certs` (certbot's layout), nginx started;
    its port and its error log."""
    port = free_port()
    site = SITE.read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/werkplaats.example.org", str(certs))
    site = site.replace("/var/log/nginx", str(root))
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (root / "site.conf").write_text(site)
    error_log = root / "error.log"
    (root / "nginx.conf").write_text(
        f"pid {root}/nginx.pid;\nerror_log {error_log} info;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {root}/site.conf;\n}}\n"
    )
    subprocess.run(
        [nginx_or_skip(), "-p", str(root), "-c", str(root / "nginx.conf")],
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
    nginx_or_skip()
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
