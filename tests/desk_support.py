"""Shared set-up of the review-desk tests: one real tiny workflow run per test session (with XSS
payloads in account names and descriptions, put into the simulator's raw output before ingest),
and a real uvicorn server started as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
from conftest import REPO, copy_project

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
PAYLOAD_NAME = "<script>window.__xss=1</script>"
PAYLOAD_DESC = '"><img src=x onerror="window.__xss=2">'
PAYLOAD_SCREEN = "<b onmouseover=window.__xss=3>evil</b>"


def snakemake(work: Path, *targets: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "0", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [str(SNAKEMAKE), "--cores", "2", "--configfile", "configs/test.yaml", "--nolock", *targets],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def poisoned_workflow(base: Path) -> Path:
    """Run the tiny workflow once per session under ``base/desk-workflow`` (reused when done; ``base`` is
    conftest.shared_build_dir, so test workers share it).

    The simulator runs first; then three of the accounts it made get XSS payloads as names and
    descriptions (untrusted text as it would arrive from a platform), then the rest of the workflow
    runs. Returns the project folder (results in ``results/synthetic``)."""
    # SPREADWATCH_DESK_WORK keeps the run across pytest sessions while developing (default: per session)
    work = Path(os.environ.get("SPREADWATCH_DESK_WORK") or base / "desk-workflow")
    from filelock import FileLock

    with FileLock(str(work.parent / f"{work.name}.lock")):  # one build for all test workers
        return _poisoned_workflow(work)


def _poisoned_workflow(work: Path) -> Path:
    done = work / ".done"
    if done.exists():
        return work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    copy_project(work)
    run = snakemake(work, "results/synthetic/raw/accounts.parquet")
    assert run.returncode == 0, run.stderr[-4000:]
    raw = work / "results/synthetic/raw/accounts.parquet"
    accounts = pd.read_parquet(raw)
    stat = raw.stat()
    # the planted misinformation seeders rank near the top, so the payloads show on the first queue page
    seeders = accounts.index[accounts["account_kind"] == "human_misinfo_seeder"][:3]
    accounts.loc[seeders, "name"] = PAYLOAD_NAME
    accounts.loc[seeders, "description"] = PAYLOAD_DESC
    accounts.loc[seeders[:1], "screen_name"] = PAYLOAD_SCREEN
    accounts.to_parquet(raw, index=False)
    os.utime(raw, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    run = snakemake(work, "results/synthetic/ranked_accounts.csv")
    assert run.returncode == 0, run.stderr[-4000:]
    done.write_text("ok\n")
    return work


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``spreadwatch serve`` as a real subprocess; ``url`` is its base address."""

    def __init__(self, work: Path, db: Path, host: str = "127.0.0.1", token: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "spreadwatch.cli",
            "serve",
            "--dataset",
            "synthetic",
            "--port",
            str(self.port),
            "--host",
            host,
            "--results",
            str(work / "results"),
            "--db",
            str(db),
        ]
        if token:
            command += ["--token", token]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONHASHSEED": "0"}
        self.process = subprocess.Popen(
            command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stdout.read()}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                if token:
                    raise RuntimeError("the server answered without its token")
                return
            except urllib.error.HTTPError as error:
                if token and error.code == 403:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError("server did not start in 120 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
