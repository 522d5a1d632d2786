"""The review desk app over a real tiny workflow run (in-process through Starlette's TestClient;
the real server, a real browser and a killed server are in test_desk_browser.py / test_desk_kill.py)."""

from __future__ import annotations

import re

import markupsafe
import pandas as pd
import pytest
from conftest import shared_build_dir
from desk_support import PAYLOAD_DESC, PAYLOAD_NAME, PAYLOAD_SCREEN, poisoned_workflow
from fastapi.testclient import TestClient

from spreadwatch.desk import db as vdb
from spreadwatch.desk import trees
from spreadwatch.desk.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return poisoned_workflow(shared_build_dir(tmp_path_factory))


@pytest.fixture()
def client(work, tmp_path):
    app = create_app(work / "results", "synthetic", tmp_path / "desk.sqlite", queue_cache=tmp_path / "queue.sqlite")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def ranked(work) -> pd.DataFrame:
    return pd.read_csv(work / "results/synthetic/ranked_accounts.csv", dtype={"account_id": str, "screen_name": str})


def test_queue_lists_the_ranked_accounts_with_reasons_and_headers(client, work):
    response = client.get("/queue")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    page = response.text
    table = ranked(work)
    assert page.count('<tr class="row"') == 50
    assert "1,500 accounts" in page
    first = table.iloc[0]
    assert f"/account/{first['account_id']}" in page
    assert "unreviewed" in page and '<script src="/static/desk.js"' in page
    assert "<script>" not in page.replace("&lt;script&gt;", "")  # no inline script at all
    assert client.get("/static/desk.js").status_code == 200


def test_untrusted_names_are_escaped(client, work):
    table = ranked(work)
    poisoned = table[table["screen_name"] == PAYLOAD_SCREEN]
    assert len(poisoned) == 1
    page = client.get("/account/" + poisoned.iloc[0]["account_id"]).text
    for payload in (PAYLOAD_NAME, PAYLOAD_DESC, PAYLOAD_SCREEN):
        assert payload not in page
        assert str(markupsafe.escape(payload)) in page  # shown as text
    queue = client.get("/queue", params={"q": "evil"}).text
    assert PAYLOAD_SCREEN not in queue and "&lt;b onmouseover=window.__xss=3&gt;evil&lt;/b&gt;" in queue


def test_filters_sort_and_pages(client, work):
    table = ranked(work)
    page2 = client.get("/queue", params={"page": 2}).text
    assert (
        f"/account/{table.iloc[50]['account_id']}?" in page2 and f"/account/{table.iloc[0]['account_id']}?" not in page2
    )
    high = client.get("/queue", params={"min_score": 0.5, "per_page": 200}).text
    expected = int((table["score"] >= 0.5).sum())
    assert f"{expected:,} account" in high
    by_coord = client.get("/queue", params={"sort": "coordination", "desc": "1"}).text
    top_coord = table.sort_values(["coordination", "rank"], ascending=[False, True]).iloc[0]["account_id"]
    first_row = re.search(r'<tr class="row" data-href="/account/([^?"]+)', by_coord).group(1)
    assert first_row == top_coord
    comp = client.get("/queue", params={"component": "bot_probability", "min_component": 0.9}).text
    values = table["bot_probability"]
    percentile = values.rank(pct=True, method="average").where(values > 0, 0.0)
    assert f"{int((percentile >= 0.9).sum()):,} account" in comp
    weird = client.get("/queue", params={"sort": "score; DROP TABLE ranked", "page": "x", "min_score": "nan"})
    assert weird.status_code == 200


def test_verdicts_need_csrf_and_record_with_audit_and_undo(client, work, tmp_path):
    account = ranked(work).iloc[3]["account_id"]
    page = client.get(f"/account/{account}").text
    refused = client.post(f"/account/{account}/verdict", data={"verdict": "confirmed", "reviewer": "ana"})
    assert refused.status_code == 403
    wrong = client.post(
        f"/account/{account}/verdict", data={"verdict": "confirmed", "reviewer": "ana", "csrf": "0" * 64}
    )
    assert wrong.status_code == 403
    token = csrf_of(page)
    bad_name = client.post(
        f"/account/{account}/verdict", data={"verdict": "confirmed", "reviewer": "<x>", "csrf": token}
    )
    assert bad_name.status_code == 400
    ok = client.post(
        f"/account/{account}/verdict",
        follow_redirects=False,
        data={
            "verdict": "confirmed",
            "reviewer": "ana",
            "note": "same text as 40 others",
            "csrf": token,
            "next": "//evil.example/",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/account/{account}"
    again = client.post(
        f"/account/{account}/verdict",
        headers={"accept": "application/json"},
        data={"verdict": "dismissed", "reviewer": "ana", "note": "", "csrf": token},
    )
    assert again.status_code == 200 and again.json()["ok"]
    con = vdb.connect(tmp_path / "desk.sqlite")
    assert vdb.get_verdict(con, "synthetic", account)["verdict"] == "dismissed"
    client.post(f"/account/{account}/undo", data={"reviewer": "ana", "csrf": token})
    assert vdb.get_verdict(con, "synthetic", account)["verdict"] == "confirmed"
    assert [h["action"] for h in vdb.history(con, "synthetic", account)] == ["undo", "set", "set"]
    status = client.get("/queue", params={"status": "confirmed"}).text
    assert status.count('<tr class="row"') == 1 and "1 account match" in status
    audit = client.get("/audit").text
    assert "same text as 40 others" in audit


def test_export_and_import_use_the_reviews_csv_format(client, work, tmp_path):
    from spreadwatch.reviews import read_reviews

    accounts = ranked(work)["account_id"].head(2).tolist()
    token = csrf_of(client.get(f"/account/{accounts[0]}").text)
    client.post(
        f"/account/{accounts[0]}/verdict",
        data={"verdict": "confirmed", "reviewer": "ana", "note": '=HYPERLINK("http://x")', "csrf": token},
    )
    export = client.get("/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    path = tmp_path / "export.csv"
    path.write_bytes(export.content)
    reviews = read_reviews(path)
    assert reviews["account_id"].tolist() == [accounts[0]] and reviews["note"].iloc[0].startswith("'=")
    upload = f"account_id,verdict,reviewer,note,date\n{accounts[1]},dismissed,ben,news outlet,2024-03-05\n"
    refused = client.post("/import", files={"file": ("r.csv", upload, "text/csv")})
    assert refused.status_code == 403
    done = client.post(
        "/import", data={"csrf": token}, files={"file": ("r.csv", upload, "text/csv")}, follow_redirects=False
    )
    assert done.status_code == 303
    broken = client.post("/import", data={"csrf": token}, files={"file": ("r.csv", "account_id,verdict\nx,maybe\n")})
    assert broken.status_code == 400 and "maybe" in broken.text
    con = vdb.connect(tmp_path / "desk.sqlite")
    assert vdb.get_verdict(con, "synthetic", accounts[1])["verdict"] == "dismissed"


def test_account_page_shows_scores_timeline_cascades_partners_and_calibration(client, work):
    details_work = work / "results/synthetic"
    cascades = pd.read_parquet(details_work / "canonical/cascades.parquet")
    pairs = pd.read_parquet(details_work / "graphs/coengagement_pairs.parquet")
    table = ranked(work)
    seeders = set(cascades["root_account_id"].dropna())
    account = table[table["account_id"].isin(seeders)].iloc[0]["account_id"]
    page = client.get(f"/account/{account}").text
    assert 'id="components"' in page and "What a score of" in page and 'id="calibration"' in page
    assert '<svg class="timeline"' in page
    assert "seeded" in page and ('<svg class="tree"' in page or 'class="levels"' in page)
    partnered = set(pairs["account_a"]) | set(pairs["account_b"])
    other = table[table["account_id"].isin(partnered)].iloc[0]["account_id"]
    partner_page = client.get(f"/account/{other}").text
    assert "cascades together" in partner_page
    assert client.get("/account/does-not-exist").status_code == 404


def test_cascade_and_domain_pages(client, work):
    base = work / "results/synthetic"
    cascades = pd.read_parquet(base / "canonical/cascades.parquet")
    engagements = pd.read_parquet(base / "canonical/engagements.parquet")
    biggest = engagements["cascade_id"].value_counts().index[0]
    page = client.get(f"/cascade/{biggest}").text
    assert "Accounts that drove it" in page and "Growth over time" in page
    domain = cascades["domain"].dropna().iloc[0]
    assert client.get(f"/domain/{domain}").status_code == 200
    assert client.get("/domains").status_code == 200
    assert client.get("/cascade/nope").status_code == 404


def test_token_mode_refuses_requests_without_the_token(work, tmp_path):
    app = create_app(
        work / "results",
        "synthetic",
        tmp_path / "d.sqlite",
        token="s3cret-token-value",
        queue_cache=tmp_path / "q.sqlite",
    )
    with TestClient(app, base_url="http://127.0.0.1") as c:
        assert c.get("/queue").status_code == 403
        assert c.get("/queue", headers={"authorization": "Bearer wrong"}).status_code == 403
        entered = c.get("/queue?token=s3cret-token-value", follow_redirects=False)
        assert entered.status_code == 303 and "token" not in entered.headers["location"]
        assert c.get("/queue").status_code == 200  # the cookie now carries it
    with TestClient(app, base_url="http://127.0.0.1") as fresh:
        assert fresh.post("/account/x/verdict", data={"verdict": "confirmed"}).status_code == 403


def test_tree_layout_puts_the_root_first_and_summarises_large_cascades():
    cascade = {"root_account_id": "r"}
    engagements = pd.DataFrame(
        {
            "engagement_id": ["e1", "e2", "e3", "e4"],
            "parent_engagement_id": [None, "e1", "e1", "e3"],
            "child_account_id": ["a", "b", "me", "c"],
            "delay_s": [10.0, 20.0, 30.0, 40.0],
        }
    )
    edges = trees.tree_edges(cascade, engagements)
    assert edges[0]["node"] == "root" and {r["node"]: r["depth"] for r in edges} == {
        "root": 0,
        "e1": 1,
        "e2": 2,
        "e3": 2,
        "e4": 3,
    }
    picture = trees.propagation(cascade, engagements, highlight="me")
    assert picture["kind"] == "tree" and sum(n["mark"] for n in picture["nodes"]) == 1
    root = next(n for n in picture["nodes"] if n["root"])
    assert root["x"] == min(n["x"] for n in picture["nodes"])
    big = pd.DataFrame(
        {
            "engagement_id": [f"e{i}" for i in range(400)],
            "parent_engagement_id": [None] * 100 + [f"e{i % 100}" for i in range(300)],
            "child_account_id": ["me" if i % 50 == 0 else f"a{i}" for i in range(400)],
            "delay_s": [float(i) for i in range(400)],
        }
    )
    summary = trees.propagation(cascade, big, highlight="me", max_nodes=150)
    assert summary["kind"] == "levels"
    assert [(lvl["depth"], lvl["n"]) for lvl in summary["levels"]] == [(1, 100), (2, 300)]
    assert sum(lvl["mine"] for lvl in summary["levels"]) == 8
