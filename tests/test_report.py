import json

import pandas as pd

from spreadwatch import report

PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '"><svg onload=alert(3)>']


def _inputs(tmp_path):
    card = {"format": "generic", "description": "<b>desc</b>", "counts": {"accounts": {"read": 3, "accepted": 3, "rejected": 0}},
            "quirks": [{"table": "accounts", "quirk": PAYLOADS[0], "count": 1, "action": "kept"}],
            "account_labels": {"bot": 1, "human": 2}, "cascade_labels": {}}
    (tmp_path / "datacard.json").write_text(json.dumps(card))
    metric = {"task": "bot", "protocol": "stratified_5fold", "model": "hgb", "n_train": 2, "n_test": 1,
              "metrics": {"roc_auc": {"mean": 0.9, "sd": 0.01}}, "seeds": [0]}
    (tmp_path / "m.json").write_text(json.dumps(metric))
    ids = ["1", "2", "3"]
    pd.DataFrame({"account_id": ids, "label": ["bot", "human", "human"], "bot_probability": [0.9, 0.2, 0.1]}).to_parquet(tmp_path / "as.parquet")
    pd.DataFrame({"cascade_id": ["c"], "label": ["misinformation"], "misinfo_probability": [0.7]}).to_parquet(tmp_path / "cs.parquet")
    pd.DataFrame({"account_id": ids, "x": [1.0, 2.0, 3.0]}).to_parquet(tmp_path / "af.parquet")
    pd.DataFrame({"rank": [1, 2, 3], "account_id": ids, "screen_name": PAYLOADS, "name": PAYLOADS[::-1],
                  "score": [0.9, 0.5, 0.1], "top_reasons": PAYLOADS}).to_csv(tmp_path / "ra.csv", index=False)
    pd.DataFrame({"rank": [1], "domain": [PAYLOADS[1]], "score": [1.0]}).to_csv(tmp_path / "rd.csv", index=False)
    return tmp_path


def test_untrusted_text_is_escaped_everywhere(tmp_path):
    d = _inputs(tmp_path)
    out = report.build_report("<i>ds</i>", d / "index.html", d / "figs", d / "datacard.json", [d / "m.json"],
                              d / "as.parquet", d / "cs.parquet", d / "af.parquet", d / "ra.csv", d / "rd.csv")
    page = out.read_text()
    for payload in PAYLOADS:
        assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")  # only escaped text remains
    assert "<i>ds</i>" not in page and "&lt;i&gt;ds&lt;/i&gt;" in page
    assert (d / "figs" / "roc_bot.png").stat().st_size > 1000


def test_single_feature_auc_is_symmetric():
    x = pd.DataFrame({"up": [1.0, 2, 3, 4], "down": [4.0, 3, 2, 1], "flat": [1.0, 1, 1, 1]})
    y = pd.Series(["human", "human", "bot", "bot"])
    aucs = report.single_feature_aucs(x, y, "bot").set_index("feature")["auc"]
    assert aucs["up"] == 1.0 and aucs["down"] == 1.0 and aucs["flat"] == 0.5
