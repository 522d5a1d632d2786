import json

import pandas as pd

from spreadwatch import evidence, ranking, report
from spreadwatch.ingest import read_canonical

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '"><svg onload=alert(3)>']


def _inputs(tmp_path):
    card = {
        "format": "generic",
        "description": "<b>desc</b>",
        "counts": {"accounts": {"read": 3, "accepted": 3, "rejected": 0}},
        "quirks": [{"table": "accounts", "quirk": PAYLOADS[0], "count": 1, "action": "kept"}],
        "account_labels": {"bot": 1, "human": 2},
        "cascade_labels": {},
    }
    (tmp_path / "datacard.json").write_text(json.dumps(card))
    metric = {
        "task": "bot",
        "protocol": "stratified_5fold",
        "model": "hgb",
        "n_train": 2,
        "n_test": 1,
        "metrics": {"roc_auc": {"mean": 0.9, "sd": 0.01}},
        "seeds": [0],
    }
    (tmp_path / "m.json").write_text(json.dumps(metric))
    ids = ["1", "2", "3"]
    pd.DataFrame(
        {"account_id": ids, "label": ["bot", "human", "human"], "bot_probability": [0.9, 0.2, 0.1]}
    ).to_parquet(tmp_path / "as.parquet")
    pd.DataFrame({"cascade_id": ["c"], "label": ["misinformation"], "misinfo_probability": [0.7]}).to_parquet(
        tmp_path / "cs.parquet"
    )
    pd.DataFrame({"account_id": ids, "x": [1.0, 2.0, 3.0]}).to_parquet(tmp_path / "af.parquet")
    pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "account_id": ids,
            "screen_name": PAYLOADS,
            "name": PAYLOADS[::-1],
            "score": [0.9, 0.5, 0.1],
            "top_reasons": PAYLOADS,
        }
    ).to_csv(tmp_path / "ra.csv", index=False)
    pd.DataFrame({"rank": [1], "domain": [PAYLOADS[1]], "score": [1.0]}).to_csv(tmp_path / "rd.csv", index=False)
    return tmp_path


def test_untrusted_text_is_escaped_everywhere(tmp_path):
    d = _inputs(tmp_path)
    out = report.build_report(
        "<i>ds</i>",
        d / "index.html",
        d / "figs",
        d / "datacard.json",
        [d / "m.json"],
        d / "as.parquet",
        d / "cs.parquet",
        d / "af.parquet",
        d / "ra.csv",
        d / "rd.csv",
    )
    page = out.read_text()
    for payload in PAYLOADS:
        assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the only script is the table's own, allowed by its hash in the CSP
    assert page.lower().count("<script") == 1 and f"<script>{report.TABLE_SCRIPT}</script>" in page
    assert report.script_hash() in page and "unsafe-inline'; script-src 'sha256-" in page
    assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")  # only escaped text remains
    assert "<i>ds</i>" not in page and "&lt;i&gt;ds&lt;/i&gt;" in page
    assert (d / "figs" / "roc_bot.png").stat().st_size > 1000


def test_single_feature_auc_is_symmetric():
    x = pd.DataFrame({"up": [1.0, 2, 3, 4], "down": [4.0, 3, 2, 1], "flat": [1.0, 1, 1, 1]})
    y = pd.Series(["human", "human", "bot", "bot"])
    aucs = report.single_feature_aucs(x, y, "bot").set_index("feature")["auc"]
    assert aucs["up"] == 1.0 and aucs["down"] == 1.0 and aucs["flat"] == 0.5


def canonical_with_payloads(folder):
    """Canonical tables of a 3-account platform whose names, descriptions and posts carry payloads."""
    from spreadwatch.schema import empty_table

    folder.mkdir(parents=True, exist_ok=True)
    ids = ["1", "2", "3"]
    accounts = empty_table("accounts")
    accounts = pd.concat(
        [
            accounts,
            pd.DataFrame({"account_id": ids, "screen_name": PAYLOADS, "name": PAYLOADS[::-1], "description": PAYLOADS}),
        ],
        ignore_index=True,
    )
    cascades = pd.DataFrame(
        {"cascade_id": ["c1"], "root_account_id": ["1"], "title": [PAYLOADS[1]], "label": ["false"]}
    )
    engagements = pd.DataFrame(
        {
            "engagement_id": ["e1", "e2"],
            "cascade_id": ["c1", "c1"],
            "parent_account_id": ["1", "1"],
            "parent_engagement_id": [None, None],
            "child_account_id": ["2", "3"],
            "delay_s": [5.0, 9.0],
        }
    )
    posts = pd.DataFrame({"post_id": ["p1", "p2"], "account_id": ["1", "1"], "text": PAYLOADS[:2]})
    for name, frame in {"accounts": accounts, "cascades": cascades, "engagements": engagements, "posts": posts}.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    pd.DataFrame({"account_a": ["2"], "account_b": ["3"], "n_cascades": [2]}).to_parquet(
        folder / "coord.parquet", index=False
    )
    return folder


def build_payload_report(tmp_path):
    d = _inputs(tmp_path)
    canonical = canonical_with_payloads(tmp_path / "canonical")
    ranked = pd.read_csv(d / "ra.csv", dtype=str)
    ranked["review_status"] = ["confirmed", "unreviewed", "dismissed"]
    ranked["fib_index"] = [2, 0, 0]
    ranked.to_csv(d / "ra.csv", index=False)
    two = {
        "task": "rank",
        "protocol": "two_window",
        "model": "combined",
        "n_train": 3,
        "n_test": 2,
        "seeds": [],
        "metrics": {"removed_share_at_k": {"10": 1.0}},
        "curve": [{"k": 1, "removed": 2, "removed_share": 1.0}],
        "windows": {"boundary": "2024-01-01T00:00:00+00:00", "n_misinfo_reshares_window2": 2, "n_accounts_ranked": 3},
        "weights": {"fib_index": 1.0},
    }
    (d / "tw.json").write_text(json.dumps(two))
    # the ranking stage's evidence file, built from the canonical tables as run_rank builds it
    tables = read_canonical(canonical, ("accounts", "cascades", "engagements", "posts"))
    edges = ranking.reshare_edges(tables["cascades"], tables["engagements"])
    evidence.write_evidence(
        evidence.account_evidence(ranked, tables, edges, pd.read_parquet(canonical / "coord.parquet"), top_n=2),
        d / "evidence.json",
    )
    return report.build_report(
        "ds",
        d / "index.html",
        d / "figs",
        d / "datacard.json",
        [d / "m.json", d / "tw.json"],
        d / "as.parquet",
        d / "cs.parquet",
        d / "af.parquet",
        d / "ra.csv",
        d / "rd.csv",
        top_n=2,
        evidence_path=d / "evidence.json",
    )


def test_account_pages_table_and_cards_escape_untrusted_text(tmp_path):
    page = build_payload_report(tmp_path).read_text()
    for payload in PAYLOADS:
        assert payload not in page
    assert page.count("class='acct'") == 2 and "id='acct-1'" in page and "href='#acct-1'" in page
    assert "id='ranked'" in page and page.count("<tr data-review=") == 3
    assert "status-confirmed" in page and "data:image/png;base64," in page
    assert "Coordination partners" not in page.split("id='acct-1'")[1].split("</section>")[0]
    assert "Two-window evaluation" in page and "Model cards" in page
    assert (tmp_path / "figs" / "dismantling.png").exists()


def test_headline_puts_honest_protocols_first_with_the_leakage_baselines(tmp_path):
    def record(protocol, model, accuracy):
        summary = {"mean": accuracy, "sd": 0.01, "n": 3}
        return {
            "task": "cascade",
            "protocol": protocol,
            "model": model,
            "n_train": 10,
            "n_test": 5,
            "metrics": {"accuracy": summary, "f1": summary},
            "pooled": {"accuracy": summary, "f1": summary},
            "seeds": [0, 1, 2],
        }

    files = []
    for protocol, model, accuracy in [
        ("random_5fold", "rf", 0.8),
        ("random_5fold", "source_time_only", 0.85),
        ("event_5fold", "rf", 0.6),
        ("event_5fold", "hgb", 0.62),
        ("event_5fold", "source_time_only", 0.5),
        ("event_5fold", "source_user_only", 0.3),
        ("time_split", "rf", 0.55),
    ]:
        path = tmp_path / f"cascade__{protocol}__{model}.json"
        path.write_text(json.dumps(record(protocol, model, accuracy)))
        files.append(path)
    headline = report.headline_table(files)
    assert headline["protocol"].tolist() == ["event_5fold", "time_split", "random_5fold"]
    first = headline.iloc[0]
    assert first["best model"] == "hgb" and first["accuracy"].startswith("0.620")
    assert first["source_time_only accuracy"].startswith("0.500") and first["source_user_only accuracy"].startswith(
        "0.300"
    )
    assert headline.iloc[2]["kind"].startswith("comparable")
    table = report.metrics_table(files)
    assert table["protocol"].tolist()[0] == "event_5fold"


def test_report_of_a_dataset_whose_two_window_evaluation_was_skipped(tmp_path):
    d = _inputs(tmp_path)
    skipped = {
        "task": "rank",
        "protocol": "two_window",
        "model": "combined",
        "n_train": 0,
        "n_test": 0,
        "metrics": {},
        "seeds": [],
        "skipped": "engagements have no time",
    }
    (d / "rank__two_window__combined.json").write_text(json.dumps(skipped))
    out = report.build_report(
        "ds",
        d / "index.html",
        d / "figs",
        d / "datacard.json",
        [d / "m.json", d / "rank__two_window__combined.json"],
        d / "as.parquet",
        d / "cs.parquet",
        d / "af.parquet",
        d / "ra.csv",
        d / "rd.csv",
    )
    assert "Not run for this dataset: engagements have no time" in out.read_text()


def test_the_page_is_a_template_with_autoescape_and_packaged_assets():
    """No hand-called escaping: jinja2 autoescape does it; the template, CSS and JS ship as package data."""
    import fnmatch
    import tomllib

    from conftest import REPO

    assert report.ENVIRONMENT.autoescape is True and not hasattr(report, "esc")
    assert report.ENVIRONMENT.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["spreadwatch"]
    assets = sorted(
        p.relative_to(REPO / "src/spreadwatch").as_posix() for p in (REPO / "src/spreadwatch/report_assets").iterdir()
    )
    assert assets and all(any(fnmatch.fnmatch(a, pat) for pat in patterns) for a in assets), assets


def test_rank_stage_writes_the_evidence_and_every_declared_planted_sources_file(tmp_path):
    """run_rank on a platform without planted sources: skipped planted-source records (declared outputs
    must exist) and the evidence the report's account pages read, in rank order."""
    from spreadwatch.evaluation import records
    from spreadwatch.pipeline import rank

    d = _inputs(tmp_path)
    canonical = canonical_with_payloads(tmp_path / "canonical")
    from spreadwatch.schema import empty_table

    for name in ("cascades", "engagements", "posts"):  # every canonical column, as ingest writes them
        frame = pd.read_parquet(canonical / f"{name}.parquet")
        pd.concat([empty_table(name), frame], ignore_index=True).to_parquet(canonical / f"{name}.parquet", index=False)
    out = tmp_path / "out"
    rank.run_rank(
        canonical,
        d / "as.parquet",
        d / "cs.parquet",
        canonical / "coord.parquet",
        out / "ranked_accounts.csv",
        out / "ranked_domains.csv",
        out / "metrics",
        evidence_out=out / "ranked_evidence.json",
        evidence_top_n=3,
    )
    for name in rank.PLANTED_RANKERS:
        record = records.read(out / "metrics" / f"rank__planted_sources__{name}.json")
        assert record.skipped and "no planted sources" in record.reason
    ranked = pd.read_csv(out / "ranked_accounts.csv", dtype={"account_id": str})
    found = evidence.read_evidence(out / "ranked_evidence.json")
    assert [e["account_id"] for e in found] == ranked["account_id"].tolist()
    seeder = next(e for e in found if e["account_id"] == "1")
    assert seeder["cascades"][0]["role"] == "seeded" and sorted(map(tuple, seeder["cascades"][0]["edges"])) == [
        ("1", "2"),
        ("1", "3"),
    ]
    assert seeder["posts"] == PAYLOADS[:2]
