"""Kill the real desk server (SIGKILL) in the middle of 100 concurrent verdict writes: every write
that was acknowledged (HTTP 2xx received) is in the database afterwards."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import sqlite3
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from conftest import shared_build_dir
from desk_support import Server, poisoned_workflow

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return poisoned_workflow(shared_build_dir(tmp_path_factory))


def test_acknowledged_verdicts_survive_a_killed_server(work, tmp_path):
    db = tmp_path / "desk.sqlite"
    server = Server(work, db)
    try:
        accounts = pd.read_csv(work / "results/synthetic/ranked_accounts.csv", dtype={"account_id": str})["account_id"]
        accounts = accounts.head(100).tolist()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{server.url}/account/{accounts[0]}").read().decode()
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        acknowledged, failed, lock = [], [], threading.Lock()
        enough = threading.Event()

        def write(i: int) -> None:
            account = accounts[i]
            body = urllib.parse.urlencode(
                {
                    "verdict": ("confirmed", "dismissed", "unsure")[i % 3],
                    "reviewer": "kill-test",
                    "note": f"write {i}",
                    "csrf": csrf,
                }
            ).encode()
            request = urllib.request.Request(
                f"{server.url}/account/{account}/verdict", data=body, headers={"Accept": "application/json"}
            )
            try:
                with opener.open(request, timeout=30) as response:
                    ok = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):  # refused or cut off by the kill
                ok = False
            with lock:
                (acknowledged if ok else failed).append(account)
                if len(acknowledged) >= 25:
                    enough.set()

        with ThreadPoolExecutor(max_workers=100) as pool:
            futures = [pool.submit(write, i) for i in range(100)]
            enough.wait(60)
            os.kill(server.process.pid, signal.SIGKILL)
            for future in futures:
                future.result()
        server.process.wait(10)
    finally:
        server.stop()
    assert acknowledged, "no write was acknowledged before the kill"
    assert failed, "the server finished all 100 writes before it was killed: the kill was not mid-way"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {
        a: (v, n)
        for a, v, n in con.execute("SELECT account_id, verdict, note FROM verdicts WHERE dataset = 'synthetic'")
    }
    missing = [a for a in acknowledged if a not in stored]
    assert not missing, f"{len(missing)} acknowledged verdicts lost: {missing[:5]}"
    for account in acknowledged:
        i = accounts.index(account)
        assert stored[account] == (("confirmed", "dismissed", "unsure")[i % 3], f"write {i}")
    audit = con.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    assert audit == len(stored)  # one audit entry per stored verdict, none half-written
