"""FakeNewsNet news lists (UPFD subset): ``id,news_url,title,tweet_ids`` -> canonical tables.

Files (logical names in ``configs/datasets.yaml``): ``fake`` and ``real``, the gzip CSVs
``{source}_fake.csv.gz`` / ``{source}_real.csv.gz``; ``tweet_ids`` is a TAB-separated list of the ids of
the tweets that shared the news item. Options: ``source``: ``politifact`` or ``gossipcop`` (used in
labels and messages; the files decide what is read).

Output
    cascades: one per news item: cascade_id = news id, label fake/real, is_misinformation, url, domain
        (normalised, Wayback links unwrapped), title, created_at = earliest snowflake time of its tweets
        (splits/windows only), event_id = news id (the lists carry no story grouping).
    posts: one per distinct tweet id, kind ``original``, created_at decoded from the id (NaT for
        pre-snowflake ids), cascade_id = the first news item (lowest id) that lists it, account_id
        ``unknown`` (the lists carry no user ids).
    accounts: the single placeholder row ``unknown`` (``is_placeholder`` = True).
    engagements: none (the lists carry no retweet/reply structure; stated as a quirk in the data card).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.credibility import SHORTENERS, is_archive_url, normalise_domains
from spreadwatch.adapters.twitter1516 import (
    DROPPED,
    choice_option,
    is_misinformation,
    quirk,
    rejected_frame,
    rejected_rows,
    require_files,
    snowflake_to_utc,
    valid_tweet_ids,
)

FORMAT = "fakenewsnet"
UNKNOWN_ACCOUNT = "unknown"
LABEL_MAP: dict[str, bool | None] = {"fake": True, "real": False}


def placeholder_accounts() -> pd.DataFrame:
    """The one placeholder account that stands for every unknown author."""
    return pd.DataFrame(
        {
            "account_id": pd.Series([UNKNOWN_ACCOUNT], dtype="string"),
            "label_source": pd.Series(["placeholder: author unknown in the source data"], dtype="string"),
            "is_placeholder": pd.array([True], dtype="boolean"),
        }
    )


def read_news_csv(path: Path) -> pd.DataFrame:
    """Read one FakeNewsNet CSV (``id,news_url,title,tweet_ids``) as strings, with a 1-based ``_line``
    (the data row number, header = row 1)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in ("id", "news_url", "title") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{path}: column(s) {missing} missing (found {list(frame.columns)}); "
            f"expected header id,news_url,title,tweet_ids"
        )
    if "tweet_ids" not in frame.columns:
        frame["tweet_ids"] = ""
    for c in ("id", "news_url", "title", "tweet_ids"):
        frame[c] = frame[c].astype(str).str.strip()
    frame["_line"] = np.arange(2, len(frame) + 2)
    return frame


def url_quirks(urls: pd.Series, domains: pd.Series, table: str = "cascades") -> list[dict]:
    """Quirk records for URL -> domain conversion."""
    urls = urls.astype("string")
    present = urls.notna() & urls.str.len().gt(0).fillna(False).astype(bool)
    archive = urls.fillna("").map(is_archive_url).astype(bool)
    return [
        quirk(table, "empty news URL", int((~present).sum()), "url and domain NA"),
        quirk(table, "Wayback Machine URL", int(archive.sum()), "domain taken from the archived URL"),
        quirk(
            table,
            "URL on a shortener domain",
            int(domains.isin(SHORTENERS).fillna(False).astype(bool).sum()),
            "kept (domain is the shortener); filter with credibility.SHORTENERS",
        ),
    ]


def news_cascades(
    cascade_id: pd.Series, *, created_at, url, domain, title, label, label_map, label_source, event_id, extra: dict
) -> pd.DataFrame:
    """News items -> cascades: canonical columns (root ids NA, is_misinformation from label), ``extra``; sorted."""
    index = cascade_id.index
    label = label.astype("string")
    columns = {
        "cascade_id": cascade_id.astype("string"),
        "root_post_id": pd.Series(pd.NA, index=index, dtype="string"),
        "root_account_id": pd.Series(pd.NA, index=index, dtype="string"),
        "created_at": created_at.astype("datetime64[ns, UTC]"),
        "url": url,
        "domain": domain,
        "title": title.replace("", pd.NA).astype("string"),
        "label": label,
        "is_misinformation": is_misinformation(label, label_map),
        "label_source": pd.Series(label_source, index=index, dtype="string"),
        "event_id": event_id.astype("string"),
    }
    cascades = pd.DataFrame(columns | extra)
    return cascades.sort_values("cascade_id", kind="stable").reset_index(drop=True)


def load(files: dict, options: dict) -> AdapterResult:
    """Load the fake and real lists of one FakeNewsNet source into canonical tables."""
    options = dict(options or {})
    source = choice_option(options, "source", ("politifact", "gossipcop"), FORMAT)
    paths = require_files(files, ["fake", "real"], FORMAT, options)
    label_map = dict(LABEL_MAP) | dict(options.get("label_map") or {})
    quirks: list[dict] = []
    rejected_parts: list[pd.DataFrame] = []

    parts = []
    for label in ("fake", "real"):
        frame = read_news_csv(paths[label])
        frame["label"] = label
        frame["_file"] = str(paths[label])
        parts.append(frame)
    news = pd.concat(parts, ignore_index=True)
    rows_read = {"cascades": int(len(news))}

    empty_id = news["id"].eq("")
    bad = news[empty_id]
    rejected_parts.append(rejected_rows("cascades", bad["_file"], bad["_line"], "id", bad["news_url"], "empty news id"))
    quirks.append(quirk("cascades", "row with an empty news id", len(bad), DROPPED))
    news = news[~empty_id]

    # a news id on both lists: one cascade, label marked conflicting
    both = news.groupby("id")["label"].transform("nunique").gt(1)
    quirks.append(
        quirk(
            "cascades",
            "news id on both the fake and the real list",
            int(news.loc[both, "id"].nunique()),
            "one cascade; label 'conflicting', is_misinformation NA; tweets of both rows kept",
        )
    )
    news.loc[both, "label"] = "conflicting"
    dup_rows = news.duplicated(["id", "label"], keep="first")
    quirks.append(
        quirk(
            "cascades",
            "news id listed twice",
            int(news.loc[dup_rows & ~both, "id"].nunique()),
            "one cascade (first row's url/title); tweets of all rows kept",
        )
    )

    # ---- posts: one per tweet id
    tweets = news[["id", "tweet_ids", "_file", "_line"]].assign(tweet_id=news["tweet_ids"].str.split("\t"))
    tweets = tweets.explode("tweet_id", ignore_index=True)
    tweets["tweet_id"] = tweets["tweet_id"].astype("string").str.strip()
    tweets = tweets[tweets["tweet_id"].fillna("").ne("")]
    rows_read["posts"] = int(len(tweets))
    ok = valid_tweet_ids(tweets["tweet_id"])
    bad = tweets[~ok.to_numpy()]
    not_id = "tweet id is not a decimal integer"
    rejected_parts.append(rejected_rows("posts", bad["_file"], bad["_line"], "tweet_ids", bad["tweet_id"], not_id))
    quirks.append(quirk("posts", not_id, len(bad), DROPPED))
    tweets = tweets[ok.to_numpy()]
    same_item = tweets.duplicated(["id", "tweet_id"], keep="first")
    quirks.append(quirk("posts", "tweet id listed twice for the same news item", int(same_item.sum()), "deduplicated"))
    tweets = tweets[~same_item.to_numpy()]
    tweets["created_at"] = snowflake_to_utc(tweets["tweet_id"]).array
    quirks.append(
        quirk(
            "posts",
            "pre-snowflake tweet id (before Nov 2010): time unknown",
            int(tweets["created_at"].isna().sum()),
            "created_at NaT; not used for cascade times",
        )
    )
    # cascade start: earliest tweet of each news item (all its rows, before cross-item dedupe)
    start = tweets.groupby("id")["created_at"].min()
    n_tweets = tweets.groupby("id").size()
    tweets = tweets.sort_values(["tweet_id", "id"], kind="stable")
    shared = tweets["tweet_id"].duplicated(keep="first")
    quirks.append(
        quirk(
            "posts",
            "tweet listed under several news items",
            int(shared.sum()),
            "one post (cascade_id = the lowest news id); cascade created_at still uses all its tweets",
        )
    )
    tweets = tweets[~shared.to_numpy()]
    posts = (
        pd.DataFrame(
            {
                "post_id": tweets["tweet_id"].astype("string"),
                "account_id": pd.Series(UNKNOWN_ACCOUNT, index=tweets.index, dtype="string"),
                "created_at": tweets["created_at"],
                "kind": pd.Series("original", index=tweets.index, dtype="string"),
                "parent_post_id": pd.Series(pd.NA, index=tweets.index, dtype="string"),
                "cascade_id": tweets["id"].astype("string"),
            }
        )
        .sort_values("post_id", kind="stable")
        .reset_index(drop=True)
    )
    quirks.append(
        quirk(
            "accounts",
            "author unknown (lists carry no user ids)",
            len(posts),
            f"posts attributed to the placeholder account {UNKNOWN_ACCOUNT!r}",
        )
    )
    quirks.append(
        quirk(
            "engagements",
            "no propagation structure in the lists",
            0,
            "no engagements table; use UPFD for the trees of the same news items",
        )
    )

    # ---- cascades
    first = news.drop_duplicates("id", keep="first").copy()
    first["url"] = first["news_url"].replace("", pd.NA).astype("string")
    first["domain"] = normalise_domains(first["url"])
    quirks.extend(url_quirks(first["url"], first["domain"]))
    cascades = news_cascades(
        first["id"],
        created_at=first["id"].map(start),
        url=first["url"],
        domain=first["domain"],
        title=first["title"],
        label=first["label"],
        label_map=label_map,
        label_source=f"FakeNewsNet {source} (UPFD subset)",
        event_id=first["id"],
        extra={"n_tweets": first["id"].map(n_tweets).fillna(0).astype("Int64")},
    )
    quirks.append(
        quirk(
            "cascades",
            "news item without any dated tweet",
            int(cascades["created_at"].isna().sum()),
            "created_at NaT (time splits put it last or drop it)",
        )
    )

    return AdapterResult(
        tables={"accounts": placeholder_accounts(), "posts": posts, "cascades": cascades},
        source_files={
            "cascades": f"{paths['fake']}; {paths['real']}",
            "posts": f"{paths['fake']}; {paths['real']}",
            "accounts": "<placeholder>",
        },
        rows_read=rows_read | {"accounts": 0},
        quirks=quirks,
        rejected=rejected_frame(rejected_parts),
    )
