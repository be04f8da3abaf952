"""The Chroma-server path: CHROMA_HOST/CHROMA_PORT settings build and search an index on a real server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge_base.embeddings import HashingEmbedding
from knowledge_base.index import build_index, location
from knowledge_base.retrieval import search
from settings import Settings, load_settings

CHROMA = shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    if CHROMA is None:
        pytest.skip("the `chroma` command (from the chromadb package) is not on PATH")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma_server")
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen(
        [CHROMA, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma server did not start; see {path / 'server.log'}")
            time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def server_settings(chroma_server: tuple[str, int], tmp_path: Path) -> Settings:
    host, port = chroma_server
    return load_settings(
        env={"CHROMA_HOST": host, "CHROMA_PORT": str(port), "DATA_DIR": str(tmp_path / "data")}
    )


def test_build_and_search_on_a_chroma_server(server_settings: Settings) -> None:
    ef = HashingEmbedding()
    first = build_index(server_settings, embedding=ef)
    assert first.location.startswith("http://127.0.0.1:") and first.added == first.chunks > 0
    again = build_index(server_settings, embedding=ef)
    assert again.unchanged == first.chunks and again.added == again.updated == 0
    hits = search("Cardinal CPAP", k=3, settings=server_settings, embedding=ef)
    assert "CMA-CPAP-001" in [h.policy_id for h in hits]
    only = search("appeal filing window", payer="prairie", k=5, settings=server_settings, embedding=ef)
    assert only and {h.payer for h in only} == {"prairie"}
    # nothing was written to the embedded location
    assert not server_settings.chroma_dir.exists()


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = load_settings(
        env={"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(_free_port()), "DATA_DIR": str(tmp_path)}
    )
    with pytest.raises(Exception, match="CHROMA_HOST"):
        build_index(settings, embedding=HashingEmbedding())
    assert location(settings).startswith("http://127.0.0.1:")
