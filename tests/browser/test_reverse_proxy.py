"""Issue 11 item 7: the reverse-proxy recipe of docs/deploy.md, started for real.

The ``nginx`` block is read from docs/deploy.md as a deployer would copy it; only what a deployment
changes is replaced (the ports, a self-signed certificate, the host name in the CSP). nginx then runs
in front of the real server (``server.py``), and Chromium opens the app through it: the page loads and
its WebSocket connects under the recipe's content security policy (no violation reported), the
security headers are on every answer, plain HTTP is redirected to HTTPS, and a download address is
still refused without a session.
"""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from journey import CHROMIUM, CHROMIUM_ARGS, ROOT, WAIT_MS, Driver, free_port, serve

pytestmark = pytest.mark.browser
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(autouse=True)
def _tools() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    if not Path(NGINX).exists() or shutil.which("openssl") is None:
        pytest.skip("nginx or openssl is missing: apt-get install nginx-light openssl (.ci/run does)")


def recipe() -> str:
    """The nginx configuration exactly as docs/deploy.md gives it."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text[text.index("## Reverse proxy with TLS") :]
    found = re.search(r"```nginx\n(.*?)```", section, re.S)
    assert found, "docs/deploy.md has no ```nginx block under 'Reverse proxy with TLS'"
    return found.group(1)


def localised(config: str, *, https: int, http: int, app: int, cert: Path, key: Path) -> str:
    """What a deployer edits: ports, certificate paths and the public host name."""
    out = config.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl").replace(
        "listen 80;", f"listen 127.0.0.1:{http};"
    )
    out = out.replace("/etc/ssl/precert/fullchain.pem", str(cert)).replace(
        "/etc/ssl/precert/privkey.pem", str(key)
    )
    out = out.replace("http://127.0.0.1:8501", f"http://127.0.0.1:{app}")
    out = out.replace("wss://precert.example.org", f"wss://127.0.0.1:{https}")
    assert out.count(str(app)) == 1 and str(cert) in out, "the recipe's shape changed: update this test"
    return out


@contextmanager
def nginx(folder: Path, server_block: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(
        "worker_processes 1;\n"
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  access_log {folder}/access.log;\n"
        f"  client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;\n"
        f"{server_block}\n"
        "}\n",
        encoding="utf-8",
    )
    check = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, f"nginx rejects the recipe:\n{check.stderr}"
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def wait_port(port: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def test_the_deploy_recipe_serves_the_app_over_tls_with_its_headers(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
            ),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    https, http = free_port(), free_port()
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # our own throwaway certificate
    with serve(ROOT / "server.py", tmp_path / "data", tmp_path / "streamlit.log") as app:
        app_port = int(app.url.rsplit(":", 1)[1])
        block = localised(recipe(), https=https, http=http, app=app_port, cert=cert, key=key)
        with nginx(tmp_path / "nginx", block):
            wait_port(https)
            with urllib.request.urlopen(f"https://127.0.0.1:{https}/", context=insecure, timeout=10) as reply:
                headers = reply.headers
                assert reply.status == 200
            assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
            assert headers["X-Content-Type-Options"] == "nosniff"

            class NoRedirect(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *args: object, **kwargs: object) -> None:
                    return None

            with pytest.raises(urllib.error.HTTPError) as moved:
                urllib.request.build_opener(NoRedirect).open(
                    f"http://127.0.0.1:{http}/case_workspace", timeout=10
                )
            assert moved.value.code == 301 and moved.value.headers["Location"].startswith("https://")

            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"https://127.0.0.1:{https}/media/x.csv", context=insecure, timeout=10)
            assert refused.value.code == 403  # the download gate, through the proxy

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_context(ignore_https_errors=True).new_page()
                    violations: list[str] = []
                    page.on(
                        "console",
                        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
                    )
                    page.goto(f"https://127.0.0.1:{https}/")
                    # the first-run screen is rendered by the server over the WebSocket: it connected
                    Driver(page).see_heading("Welcome to Precert Academy", timeout=WAIT_MS)
                finally:
                    browser.close()
    assert violations == [], "the recipe's CSP blocks the app:\n" + "\n".join(violations)
