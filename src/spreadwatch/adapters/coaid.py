"""CoAID v0.4 (Cui & Lee 2020): COVID-19 news/claims -> tweet ids -> reply ids, as canonical tables.

Files (logical names in ``configs/datasets.yaml``): ``archive``: ``coaid_v0.4_csvs.tar.gz``, read member by
member (never extracted). It holds snapshot folders ``MM-DD-YYYY/`` with, per kind K in NewsFake,
NewsReal, ClaimFake, ClaimReal: ``{K}COVID-19.csv`` (items; first column = item id),
``{K}COVID-19_tweets.csv`` (``index,tweet_id``) and ``{K}COVID-19_tweets_replies.csv``
(``news_id,tweet_id,reply_id``). Options: ``snapshots``: list of folder names to read (default all).

Output
    cascades: one per item: cascade_id = ``{K}:{item_id}`` (e.g. ``NewsFake:17``; item ids restart per
        kind), label fake/real, is_misinformation, url, domain, title, created_at = earliest tweet
        time of the item (snowflake; splits/windows only), event_id = ``url:<news_url>`` so items that
        point at the same page stay in one fold (else the cascade id). Extra columns ``item_kind``
        (news/claim), ``item_type`` (article/post), ``fact_check_url``, ``snapshot`` (first seen).
    posts: tweets (kind original) and replies (kind reply, parent_post_id = the tweet), one per id,
        created_at from the snowflake id, account_id ``unknown`` (no user ids in CoAID).
    engagements: one per reply edge tweet -> reply: kind reply, parent_post_id = tweet,
        child_post_id = reply, child_account_id ``unknown``, parent_account_id NA, time from the
        reply id, delay_s = time - cascade created_at (clipped at 0).
    accounts: the single placeholder row ``unknown``.
"""

from __future__ import annotations

import io
import re
import tarfile

import numpy as np
import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.credibility import normalise_domains
from spreadwatch.adapters.fakenewsnet import UNKNOWN_ACCOUNT, news_cascades, placeholder_accounts, url_quirks
from spreadwatch.adapters.twitter1516 import (
    DROPPED,
    quirk,
    rejected_frame,
    rejected_rows,
    require_files,
    snowflake_to_utc,
    valid_tweet_ids,
)

FORMAT = "coaid"
KINDS = ("NewsFake", "NewsReal", "ClaimFake", "ClaimReal")
LABEL_MAP: dict[str, bool | None] = {"fake": True, "real": False}
_MEMBER_RE = re.compile(
    r"(?:^|/)(\d\d-\d\d-\d{4})/(NewsFake|NewsReal|ClaimFake|ClaimReal)COVID-19(_tweets|_tweets_replies)?\.csv$"
)


def read_archive(archive, snapshots=None) -> dict[tuple[str, str, str], tuple[str, pd.DataFrame]]:
    """``{(snapshot, kind, part): (member_name, frame)}`` with part in items/tweets/replies (all strings)."""
    out = {}
    with tarfile.open(archive, mode="r|gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            m = _MEMBER_RE.search(member.name)
            if m is None:
                continue
            snapshot, kind, suffix = m.group(1), m.group(2), m.group(3) or ""
            if snapshots and snapshot not in snapshots:
                continue
            part = {"": "items", "_tweets": "tweets", "_tweets_replies": "replies"}[suffix]
            data = tar.extractfile(member).read()
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
            frame.columns = [str(c).strip() for c in frame.columns]
            frame = frame.apply(lambda c: c.astype(str).str.strip()) if len(frame) else frame
            frame["_row"] = np.arange(2, len(frame) + 2)
            out[(snapshot, kind, part)] = (member.name, frame)
    return out


def load(files: dict, options: dict) -> AdapterResult:
    """Load CoAID items, tweets and replies from the tarball into canonical tables."""
    options = dict(options or {})
    archive = require_files(files, ["archive"], FORMAT, options)["archive"]
    label_map = dict(LABEL_MAP) | dict(options.get("label_map") or {})
    snapshots = options.get("snapshots")
    parts = read_archive(archive, set(snapshots) if snapshots else None)
    if not parts:
        raise FileNotFoundError(
            f"{FORMAT}: no CoAID CSV members (MM-DD-YYYY/<Kind>COVID-19*.csv) inside {archive} "
            f"(registry key files.archive)"
        )
    quirks: list[dict] = []
    rej: list[pd.DataFrame] = []
    rows_read: dict[str, int] = {}

    def drop(table: str, frame: pd.DataFrame, mask, column: str, values, reason: str, name: str) -> None:
        """Reject the rows of ``frame`` under ``mask`` (value: ``values`` there) and count them as quirk ``name``."""
        file, rows = frame.loc[mask, "_file"], frame.loc[mask, "_row"]
        rej.append(rejected_rows(table, file, rows, column, values[mask], reason))
        quirks.append(quirk(table, name, int(mask.sum()), DROPPED))

    items, tweets, replies = [], [], []
    for (snapshot, kind, part), (name, frame) in sorted(parts.items()):
        file = f"{archive}::{name}"
        rows_read[f"{part}:{kind}"] = rows_read.get(f"{part}:{kind}", 0) + len(frame)
        base = {"snapshot": snapshot, "kind": kind, "_file": file, "_row": frame["_row"].to_numpy()}
        if part == "items":
            if frame.shape[1] < 2:
                continue
            get = lambda c, frame=frame: frame[c] if c in frame.columns else pd.Series("", index=frame.index)  # noqa: E731
            items.append(
                pd.DataFrame(
                    base
                    | {
                        "item_id": frame.iloc[:, 0].to_numpy(),
                        "news_url": get("news_url").to_numpy(),
                        "title": get("title").to_numpy(),
                        "newstitle": get("newstitle").to_numpy(),
                        "type": get("type").to_numpy(),
                        "fact_check_url": get("fact_check_url").to_numpy(),
                    }
                )
            )
        elif part == "tweets":
            tweets.append(
                pd.DataFrame(base | {"item_id": frame.iloc[:, 0].to_numpy(), "tweet_id": frame.iloc[:, 1].to_numpy()})
            )
        else:
            cols = [c for c in ("news_id", "tweet_id", "reply_id") if c in frame.columns]
            src = frame[cols] if len(cols) == 3 else frame.iloc[:, :3]
            replies.append(
                pd.DataFrame(
                    base
                    | {
                        "item_id": src.iloc[:, 0].to_numpy(),
                        "tweet_id": src.iloc[:, 1].to_numpy(),
                        "reply_id": src.iloc[:, 2].to_numpy(),
                    }
                )
            )
    empty = lambda cols: pd.DataFrame({c: pd.Series(dtype=object) for c in cols})  # noqa: E731
    items = (
        pd.concat(items, ignore_index=True)
        if items
        else empty(
            ["snapshot", "kind", "_file", "_row", "item_id", "news_url", "title", "newstitle", "type", "fact_check_url"]
        )
    )
    tweets = (
        pd.concat(tweets, ignore_index=True)
        if tweets
        else empty(["snapshot", "kind", "_file", "_row", "item_id", "tweet_id"])
    )
    replies = (
        pd.concat(replies, ignore_index=True)
        if replies
        else empty(["snapshot", "kind", "_file", "_row", "item_id", "tweet_id", "reply_id"])
    )
    rows_read["items"], rows_read["tweets"], rows_read["replies"] = len(items), len(tweets), len(replies)
    rows_read["cascades"], rows_read["posts"], rows_read["engagements"] = (
        len(items),
        len(tweets) + len(replies),
        len(replies),
    )

    # ---- items -> cascades (dedupe across snapshots by (kind, id, url))
    bad = items["item_id"].eq("")
    drop("cascades", items, bad, "id", items["news_url"], "empty item id", "item row without an id")
    items = items[~bad.to_numpy()].copy()
    version = items.groupby(["kind", "item_id", "news_url"], sort=False).ngroup()
    first_version = ~version.duplicated(keep="first")
    reused = first_version & items.duplicated(["kind", "item_id"], keep="first")
    items["cascade_id"] = items["kind"] + ":" + items["item_id"]
    items.loc[reused, "cascade_id"] = items.loc[reused, "cascade_id"] + "@" + items.loc[reused, "snapshot"]
    items["cascade_id"] = items["cascade_id"].where(first_version).groupby(version).transform("first")
    # (snapshot, kind, id) -> cascade: tweets and replies link through their own snapshot's items
    by_snapshot = items.drop_duplicates(["snapshot", "kind", "item_id"]).set_index(["snapshot", "kind", "item_id"])[
        "cascade_id"
    ]
    by_first = items.drop_duplicates(["kind", "item_id"]).set_index(["kind", "item_id"])["cascade_id"]
    quirks.append(
        quirk(
            "cascades",
            "item repeated in a later snapshot (same kind, id, url)",
            int((~first_version).sum()),
            "deduplicated (first snapshot kept)",
        )
    )
    quirks.append(
        quirk(
            "cascades",
            "item id reused for a different item (other url) in a later snapshot",
            int(reused.sum()),
            "kept as its own cascade `{kind}:{id}@{snapshot}`; its tweets link through their snapshot",
        )
    )
    items = items[first_version.to_numpy()]
    known = items["cascade_id"].unique()

    def link(frame: pd.DataFrame, what: str) -> pd.Series:
        key = pd.MultiIndex.from_frame(frame[["snapshot", "kind", "item_id"]])
        cid = pd.Series(by_snapshot.reindex(key).to_numpy(), index=frame.index)
        missing = cid.isna()
        if missing.any():
            fallback = pd.MultiIndex.from_frame(frame.loc[missing, ["kind", "item_id"]])
            cid[missing] = by_first.reindex(fallback).to_numpy()
        quirks.append(
            quirk(
                what,
                "item not in the same snapshot's items file",
                int((missing & cid.notna()).sum()),
                "linked to the item's first version",
            )
        )
        return cid.fillna(frame["kind"] + ":" + frame["item_id"])

    # ---- tweets
    tweets["cascade_id"] = link(tweets, "posts")
    ok_id = valid_tweet_ids(tweets["tweet_id"]).to_numpy()
    not_id = "tweet id is not a decimal integer"
    drop("posts", tweets, ~ok_id, "tweet_id", tweets["tweet_id"], not_id, not_id)
    orphan = ok_id & ~tweets["cascade_id"].isin(known).to_numpy()
    unknown_item = "item id not in the items file"
    drop("posts", tweets, orphan, "index", tweets["item_id"], unknown_item, "tweet of an unknown item")
    tweets = tweets[ok_id & ~orphan]
    dup = tweets.duplicated(["cascade_id", "tweet_id"], keep="first")
    quirks.append(
        quirk("posts", "tweet listed twice for the same item (e.g. in two snapshots)", int(dup.sum()), "deduplicated")
    )
    tweets = tweets[~dup.to_numpy()].copy()
    tweets["time"] = snowflake_to_utc(tweets["tweet_id"]).array
    start = tweets.groupby("cascade_id")["time"].min()
    n_tweets = tweets.groupby("cascade_id").size()

    # ---- replies
    replies["cascade_id"] = link(replies, "engagements")
    ok_id = (valid_tweet_ids(replies["tweet_id"]) & valid_tweet_ids(replies["reply_id"])).to_numpy()
    id_pair = replies["tweet_id"] + "," + replies["reply_id"]
    drop(
        "engagements",
        replies,
        ~ok_id,
        "tweet_id,reply_id",
        id_pair,
        "id is not a decimal integer",
        "reply row with a non-integer id",
    )
    replies = replies[ok_id]
    orphan = ~replies["cascade_id"].isin(known).to_numpy()
    drop("engagements", replies, orphan, "news_id", replies["item_id"], unknown_item, "reply of an unknown item")
    replies = replies[~orphan]
    dup = replies.duplicated(["cascade_id", "tweet_id", "reply_id"], keep="first")
    quirks.append(quirk("engagements", "duplicate reply rows", int(dup.sum()), "deduplicated"))
    replies = replies[~dup.to_numpy()]
    selfloop = (replies["tweet_id"] == replies["reply_id"]).to_numpy()
    drop(
        "engagements",
        replies,
        selfloop,
        "reply_id",
        replies["reply_id"],
        "reply id equals the tweet id",
        "reply id equals its tweet id",
    )
    replies = replies[~selfloop].copy()
    pair_known = pd.MultiIndex.from_frame(replies[["cascade_id", "tweet_id"]]).isin(
        pd.MultiIndex.from_frame(tweets[["cascade_id", "tweet_id"]])
    )
    tweet_known = replies["tweet_id"].isin(tweets["tweet_id"].unique()).to_numpy()
    quirks.append(
        quirk(
            "engagements",
            "replied tweet listed under another item only",
            int((~pair_known & tweet_known).sum()),
            "kept; parent_post_id is that tweet",
        )
    )
    quirks.append(
        quirk(
            "engagements",
            "replied tweet missing from every tweets file",
            int((~tweet_known).sum()),
            "kept; posts.parent_post_id NA for that reply",
        )
    )
    replies["time"] = snowflake_to_utc(replies["reply_id"]).array
    tweet_time = snowflake_to_utc(replies["tweet_id"]).array
    older = replies["time"].array < tweet_time
    quirks.append(
        quirk(
            "engagements",
            "reply older than the tweet it hangs from",
            int(older.sum()),
            "kept (CoAID collected whole conversations); do not assume monotone time",
        )
    )
    n_replies = replies.groupby("cascade_id").size()

    # ---- engagements
    cstart = replies["cascade_id"].map(start).astype("datetime64[ns, UTC]")
    raw_delay = (replies["time"] - cstart).dt.total_seconds()
    quirks.append(
        quirk(
            "engagements",
            "reply before the item's first tweet (negative delay)",
            int((raw_delay < 0).fillna(False).astype(bool).sum()),
            "kept; delay_s clipped to 0 (raw in delay_raw_s)",
        )
    )
    no_start = cstart.isna()
    quirks.append(
        quirk("engagements", "reply of an item without dated tweets", int(no_start.sum()), "delay_s NA; time kept")
    )
    engagements = (
        pd.DataFrame(
            {
                "engagement_id": (replies["cascade_id"] + ":" + replies["tweet_id"] + ">" + replies["reply_id"]).astype(
                    "string"
                ),
                "cascade_id": replies["cascade_id"].astype("string"),
                "parent_engagement_id": pd.Series(pd.NA, index=replies.index, dtype="string"),
                "parent_account_id": pd.Series(pd.NA, index=replies.index, dtype="string"),
                "parent_post_id": replies["tweet_id"].astype("string"),
                "child_account_id": pd.Series(UNKNOWN_ACCOUNT, index=replies.index, dtype="string"),
                "child_post_id": replies["reply_id"].astype("string"),
                "kind": pd.Series("reply", index=replies.index, dtype="string"),
                "time": replies["time"].astype("datetime64[ns, UTC]"),
                "delay_s": raw_delay.clip(lower=0).astype("float64"),
                "delay_raw_s": raw_delay.astype("float64"),
                "snapshot": replies["snapshot"].astype("string"),
            }
        )
        .sort_values("engagement_id", kind="stable")
        .reset_index(drop=True)
    )

    # ---- posts: tweets first (original), then replies; one row per id
    tw = pd.DataFrame(
        {
            "post_id": tweets["tweet_id"],
            "kind": "original",
            "parent_post_id": pd.NA,
            "cascade_id": tweets["cascade_id"],
            "_role": 0,
        }
    )
    rp = pd.DataFrame(
        {
            "post_id": replies["reply_id"],
            "kind": "reply",
            "parent_post_id": replies["tweet_id"].where(tweet_known),
            "cascade_id": replies["cascade_id"],
            "_role": 1,
        }
    )
    cand = pd.concat([tw, rp], ignore_index=True).sort_values(["post_id", "_role", "cascade_id"], kind="stable")
    first = ~cand["post_id"].duplicated(keep="first")
    quirks.append(
        quirk(
            "posts",
            "tweet shared under several items",
            int(tw["post_id"].duplicated().sum()),
            "one post (cascade_id = the lowest cascade id)",
        )
    )
    quirks.append(
        quirk(
            "posts",
            "reply id that is also a sharing tweet",
            int(rp["post_id"].isin(tw["post_id"].unique()).sum()),
            "the post keeps its tweet role (kind original)",
        )
    )
    quirks.append(
        quirk(
            "posts",
            "reply listed under several tweets or items",
            int(rp["post_id"].duplicated().sum()),
            "one post (first tweet, lowest cascade id); every edge kept in engagements",
        )
    )
    posts = cand[first.to_numpy()].drop(columns="_role")
    # a reply whose parent is itself after dedupe cannot happen (self-loops were dropped)
    posts.insert(1, "account_id", UNKNOWN_ACCOUNT)
    posts.insert(2, "created_at", snowflake_to_utc(posts["post_id"]).array)
    posts = posts.astype({c: "string" for c in ("post_id", "account_id", "kind", "parent_post_id", "cascade_id")})
    posts = posts.sort_values("post_id", kind="stable").reset_index(drop=True)
    quirks.append(
        quirk(
            "accounts",
            "author unknown (CoAID has no user ids)",
            len(posts),
            f"posts and engagements attributed to the placeholder account {UNKNOWN_ACCOUNT!r}",
        )
    )

    # ---- cascades
    items = items.copy()
    url = items["news_url"].replace("", pd.NA).astype("string")
    domain = normalise_domains(url)
    quirks.extend(url_quirks(url, domain))
    label = np.where(items["kind"].str.endswith("Fake"), "fake", "real")
    title = items["title"].where(items["title"].ne(""), items["newstitle"]).replace("", pd.NA)
    event = ("url:" + url).fillna(items["cascade_id"])
    quirks.append(
        quirk(
            "cascades",
            "items sharing a news URL (one event group)",
            int(url.notna().sum() - url.dropna().nunique()),
            "event_id = url:<news_url> keeps them in one fold",
        )
    )
    cascades = news_cascades(
        items["cascade_id"],
        created_at=items["cascade_id"].map(start),
        url=url,
        domain=domain,
        title=title,
        label=pd.Series(label, index=items.index),
        label_map=label_map,
        label_source="CoAID v0.4 " + items["kind"],
        event_id=event,
        extra={
            "item_kind": items["kind"].str.replace(r"(Fake|Real)$", "", regex=True).str.lower().astype("string"),
            "item_type": items["type"].replace("", pd.NA).astype("string"),
            "fact_check_url": items["fact_check_url"].replace("", pd.NA).astype("string"),
            "snapshot": items["snapshot"].astype("string"),
            "n_tweets": items["cascade_id"].map(n_tweets).fillna(0).astype("Int64"),
            "n_replies": items["cascade_id"].map(n_replies).fillna(0).astype("Int64"),
        },
    )
    quirks.append(
        quirk("cascades", "item without any tweet", int(cascades["created_at"].isna().sum()), "kept; created_at NaT")
    )

    return AdapterResult(
        tables={"accounts": placeholder_accounts(), "posts": posts, "cascades": cascades, "engagements": engagements},
        source_files={
            "cascades": f"{archive}::*/*COVID-19.csv",
            "posts": f"{archive}::*/*COVID-19_tweets*.csv",
            "engagements": f"{archive}::*/*COVID-19_tweets_replies.csv",
            "accounts": "<placeholder>",
        },
        rows_read=rows_read,
        quirks=quirks,
        rejected=rejected_frame(rej),
    )
