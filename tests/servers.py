"""Start and stop real local servers (Chroma, llama_cpp.server) on 127.0.0.1 for tests."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(cmd: list[str], health_url: str, log: Path, timeout_s: float = 120.0) -> Iterator[None]:
    """Run `cmd` until `health_url` answers, yield, then stop it (bounded waits throughout)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{cmd[0]} exited early:\n{log.read_text(errors='replace')[-2000:]}"
                    )
                try:
                    if httpx.get(health_url, timeout=2.0).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{cmd[0]} did not answer at {health_url} in {timeout_s}s")
                time.sleep(0.5)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
