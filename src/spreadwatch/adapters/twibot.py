"""TwiBot-22 (Twitter API v2 user objects) and the TwiBot-20 public sample.

Format ``twibot22_v2`` (``load_twibot22``; dataset ``twibot22_sample_1000``):

- ``profiles``: v2 user objects, JSON lines or a JSON list (gzip detected by magic bytes): ``id``
  (``"u<digits>"``), ``username``, ``name``, ``description``, ``location``, ``url``, ``entities``,
  ``created_at`` (epoch milliseconds, or a date string in the full release), ``protected``,
  ``verified``, ``public_metrics{followers_count, following_count, tweet_count, listed_count}``,
  ``profile_image_url``, ``pinned_tweet_id``, ``withheld``.
- ``labels``: CSV ``id,label`` (ids also ``u``-prefixed).

Format ``twibot20`` (``load_twibot20``; dataset ``twibot20_sample``): one JSON list of users
``{ID, profile (v1.1 fields as strings with trailing spaces), tweet [texts], neighbor
{follower: [ids], following: [ids]} | null, domain [..]}``; no labels in the public sample.
Produces ``accounts`` (+ minimal rows for follow-edge endpoints outside the sample), ``follows`` and
``posts`` (tweet texts; no ids or times upstream).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd

from spreadwatch.adapters import AdapterResult
from spreadwatch.adapters.botrepo import (
    _COUNT_COLUMNS,
    DEFAULT_LABEL_MAP,
    SOURCE_ROW,
    accounts_result,
    expanded_profile_url,
    file_path,
    finish_accounts,
    id_string,
    normalise_label,
    parse_counts,
    parse_twitter_time,
    quirk,
    read_csv_text,
    read_json,
    read_json_records,
    records,
    reject,
    reject_repeats,
    rejected_frame,
    sort_frame,
    text_or_na,
    to_bool,
)

_U_ID = re.compile(r"^u([0-9]+)$")
_RETWEET = re.compile(r"^RT @(\w{1,50}):")


def _strip_u(raw) -> tuple[str | None, bool]:
    """TwiBot-22 ids ``"u123"`` -> ``"123"``. Returns (id or None, whether a ``u`` was stripped)."""
    if isinstance(raw, str):
        match = _U_ID.match(raw.strip())
        if match:
            return match.group(1), True
    return id_string(raw), False


def _v2_time(value) -> pd.Timestamp | None:
    """Epoch milliseconds (int, or digit string) or an ISO-like date string -> UTC timestamp."""
    try:
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (int, float)):
            return pd.Timestamp(int(value), unit="ms", tz="UTC")
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if text.isdigit():
                return pd.Timestamp(int(text), unit="ms", tz="UTC")
            stamp = pd.Timestamp(text)
            return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    except (ValueError, OverflowError, TypeError):
        return None
    return None


def load_twibot22(files: dict[str, Path], options: dict) -> AdapterResult:
    """Load TwiBot-22 v2 user objects and labels.

    files: ``profiles`` (required), ``labels`` (optional CSV ``id,label``).
    options: ``dataset`` (label_source), ``collected_at`` (snapshot time, ISO string; unknown for the
    sample, so left missing by default), ``label_map``.
    """
    options = options or {}
    profiles_path = file_path(files, "profiles")
    labels_path = file_path(files, "labels", required=False)
    dataset = options.get("dataset") or "twibot22"
    label_map = {**DEFAULT_LABEL_MAP, **{str(k): v for k, v in (options.get("label_map") or {}).items()}}
    table = "accounts"
    rejected: list[dict] = []
    quirks: list[dict] = []

    raw_records = read_json_records(profiles_path)
    rows = []
    stripped = bad_time = 0
    for number, user in enumerate(raw_records, start=1):
        if not isinstance(user, dict):
            rejected.append(reject(table, profiles_path, number, "record", str(user)[:200], "not a JSON object"))
            continue
        account_id, was_u = _strip_u(user.get("id"))
        if account_id is None:
            rejected.append(
                reject(
                    table, profiles_path, number, "account_id", user.get("id"), "id is neither 'u<digits>' nor digits"
                )
            )
            continue
        stripped += was_u
        created = _v2_time(user.get("created_at"))
        if created is None and user.get("created_at") not in (None, ""):
            bad_time += 1
        metrics = user.get("public_metrics") or {}
        image = user.get("profile_image_url")
        rows.append(
            {
                "account_id": account_id,
                SOURCE_ROW: number,
                "screen_name": user.get("username"),
                "name": user.get("name"),
                "description": user.get("description"),
                "location": user.get("location"),
                "url": expanded_profile_url(user.get("entities"), user.get("url")),
                "created_at": created,
                "followers_count": metrics.get("followers_count"),
                "friends_count": metrics.get("following_count"),
                "statuses_count": metrics.get("tweet_count"),
                "listed_count": metrics.get("listed_count"),
                "verified": user.get("verified"),
                "protected": user.get("protected"),
                "default_profile_image": ("default_profile_images" in image) if isinstance(image, str) else None,
                "_pinned": user.get("pinned_tweet_id"),
            }
        )
    rows_read = len(raw_records)
    frame = pd.DataFrame(
        rows,
        columns=[
            "account_id",
            SOURCE_ROW,
            "screen_name",
            "name",
            "description",
            "location",
            "url",
            "created_at",
            "followers_count",
            "friends_count",
            "statuses_count",
            "listed_count",
            "verified",
            "protected",
            "default_profile_image",
            "_pinned",
        ],
    )
    quirks.append(quirk(table, "'u'-prefixed user id", stripped, "stripped the 'u'"))
    quirks.append(quirk(table, "unparseable created_at", bad_time, "set missing"))
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True).astype("datetime64[ns, UTC]")
    bad_counts = parse_counts(frame, ("followers_count", "friends_count", "statuses_count", "listed_count"))
    quirks.append(quirk(table, "count field not a non-negative integer", bad_counts, "set missing"))
    for column in ("verified", "protected", "default_profile_image"):
        frame[column] = to_bool(frame[column])
    for column in ("screen_name", "name", "description", "location"):
        frame[column] = text_or_na(frame[column]).to_numpy()
    pinned_float = int(frame["_pinned"].map(lambda v: isinstance(v, float) and v == v).sum())
    quirks.append(quirk(table, "pinned_tweet_id stored as a float (precision lost)", pinned_float, "not kept"))
    frame = frame.drop(columns=["_pinned"])
    quirks.append(
        quirk(
            table,
            "v1.1 fields absent from v2 objects (favourites_count, lang, default_profile)",
            len(frame),
            "left missing; default_profile_image derived from profile_image_url",
        )
    )
    collected = options.get("collected_at")
    if collected:
        frame["collected_at"] = (
            pd.Timestamp(collected, tz="UTC")
            if pd.Timestamp(collected).tzinfo is None
            else pd.Timestamp(collected).tz_convert("UTC")
        )
        quirks.append(
            quirk(
                table,
                "collection time not in the data",
                len(frame),
                f"collected_at set from option collected_at={collected}",
            )
        )
    else:
        frame["collected_at"] = pd.NaT
        quirks.append(
            quirk(
                table,
                "collection time not in the data",
                len(frame),
                "collected_at left missing (growth-rate features unavailable)",
            )
        )

    frame, dup = reject_repeats(
        frame, table, profiles_path, "account_id", "duplicate profile id (first kept)", rejected
    )
    quirks.append(quirk(table, "duplicate profile ids", int(dup.sum()), "first kept, others rejected"))

    if labels_path is not None:
        labels = read_csv_text(labels_path)
        if not {"id", "label"} <= set(labels.columns):
            raise ValueError(f"{labels_path}: expected columns id,label; found {list(labels.columns)}")
        label_of: dict[str, str] = {}
        label_u = 0
        for number, (raw_id, raw_label) in enumerate(zip(labels["id"], labels["label"]), start=1):
            account_id, was_u = _strip_u(raw_id)
            label = normalise_label(raw_label, label_map)
            if account_id is None or label is None:
                rejected.append(
                    reject(
                        "labels",
                        labels_path,
                        number,
                        "id" if account_id is None else "label",
                        raw_id if account_id is None else raw_label,
                        "unusable label row",
                    )
                )
                continue
            label_u += was_u
            if account_id in label_of and label_of[account_id] != label:
                label_of[account_id] = None  # conflicting labels: unknown
            else:
                label_of.setdefault(account_id, label)
        quirks.append(quirk("labels", "'u'-prefixed user id", label_u, "stripped the 'u'"))
        conflicts = sum(v is None for v in label_of.values())
        quirks.append(quirk("labels", "ids with conflicting labels", conflicts, "label left missing"))
        frame["label"] = frame["account_id"].map(label_of)
        quirks.append(quirk(table, "profile without a label", int(frame["label"].isna().sum()), "label left missing"))
        quirks.append(
            quirk(
                table,
                "labelled id without a profile",
                len(set(label_of) - set(frame["account_id"])),
                "excluded (no features)",
            )
        )
    else:
        frame["label"] = pd.NA
    frame["label_source"] = dataset
    frame.loc[frame["label"].isna(), "label_source"] = pd.NA
    frame["account_kind"] = options.get("account_kind") or frame["label"]
    frame["id_kind"] = "user_id"
    source = str(profiles_path) if labels_path is None else f"{profiles_path}, {labels_path}"
    return accounts_result(frame, source, rows_read, quirks, rejected)


# --------------------------------------------------------------------------------------------------
# TwiBot-20 sample
# --------------------------------------------------------------------------------------------------
def _clean(value):
    """Profile values are strings with a trailing space; 'None' means missing."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    return None if text == "None" else text


def _reject_edges(follows: pd.DataFrame, mask: pd.Series, path, reason: str, rejected: list[dict]) -> pd.DataFrame:
    """The ``follows`` rows outside ``mask``; the rows in it go to ``rejected`` as ``follower_id|followee_id``."""
    for rec in records(follows[mask]):
        value = f"{rec.follower_id}|{rec.followee_id}"
        rejected.append(reject("follows", path, getattr(rec, SOURCE_ROW), "follower_id,followee_id", value, reason))
    return follows[~mask]


def load_twibot20(files: dict[str, Path], options: dict) -> AdapterResult:
    """Load the TwiBot-20 public sample (format ``twibot20``).

    files: ``sample`` (the JSON list). options: ``stub_accounts`` (default true: add minimal account
    rows for follow-edge endpoints outside the
    sample so the edges resolve; false: reject those edges).
    """
    options = options or {}
    path = file_path(files, "sample")
    stubs_wanted = bool(options.get("stub_accounts", True))
    users = read_json(path)
    if not isinstance(users, list):
        raise ValueError(f"{path}: expected a JSON list of users, got {type(users).__name__}")
    rejected: list[dict] = []
    quirks: list[dict] = []
    account_rows, post_rows, edge_rows = [], [], []
    padded = id_mismatch = bad_entities = no_tweets = tweet_newline = 0
    for number, user in enumerate(users, start=1):
        account_id = id_string(user.get("ID")) if isinstance(user, dict) else None
        if account_id is None:
            rejected.append(
                reject(
                    "accounts",
                    path,
                    number,
                    "ID",
                    user.get("ID") if isinstance(user, dict) else user,
                    "ID is not a string of digits",
                )
            )
            continue
        profile = user.get("profile") or {}
        padded += sum(isinstance(v, str) and v != v.strip() for v in profile.values())
        p = {k: _clean(v) for k, v in profile.items()}
        if p.get("id_str") is not None and p.get("id_str") != account_id:
            id_mismatch += 1
        entities = None
        if p.get("entities"):
            try:
                entities = ast.literal_eval(p["entities"])  # a Python repr, not JSON; literal_eval is safe
            except (ValueError, SyntaxError):
                bad_entities += 1
        domains = user.get("domain") or []
        account_rows.append(
            {
                "account_id": account_id,
                SOURCE_ROW: number,
                "screen_name": p.get("screen_name"),
                "name": p.get("name"),
                "description": p.get("description"),
                "location": p.get("location"),
                "url": expanded_profile_url(entities, p.get("url")),
                "lang": p.get("lang"),
                "created_at_raw": p.get("created_at"),
                "followers_count": p.get("followers_count"),
                "friends_count": p.get("friends_count"),
                "statuses_count": p.get("statuses_count"),
                "favourites_count": p.get("favourites_count"),
                "listed_count": p.get("listed_count"),
                "verified": p.get("verified"),
                "default_profile": p.get("default_profile"),
                "default_profile_image": p.get("default_profile_image"),
                "protected": p.get("protected"),
                "twibot_domains": ";".join(str(d) for d in domains) if domains else None,
            }
        )
        tweets = user.get("tweet")
        if not tweets:
            no_tweets += 1
            tweets = []
        width = max(3, len(str(len(tweets))))
        for i, text in enumerate(tweets):
            if isinstance(text, str) and text.endswith("\n"):
                tweet_newline += 1
                text = text.rstrip("\n")
            post_rows.append(
                {"post_id": f"{account_id}:{i:0{width}d}", "account_id": account_id, "text": text, SOURCE_ROW: number}
            )
        neighbor = user.get("neighbor")
        if isinstance(neighbor, dict):
            for other in neighbor.get("follower") or []:
                edge_rows.append((other, account_id, number, "follower"))
            for other in neighbor.get("following") or []:
                edge_rows.append((account_id, other, number, "following"))

    accounts = pd.DataFrame(account_rows)
    n_users = len(users)
    quirks.append(quirk("accounts", "profile values padded with a trailing space", padded, "stripped"))
    quirks.append(quirk("accounts", "profile id_str differs from ID", id_mismatch, "used ID"))
    quirks.append(
        quirk("accounts", "profile entities not a Python literal", bad_entities, "url taken from the url field")
    )
    accounts["created_at"], bad_created = parse_twitter_time(accounts["created_at_raw"])
    quirks.append(quirk("accounts", "unparseable created_at", int(bad_created.sum()), "set missing"))
    bad_counts = parse_counts(accounts, _COUNT_COLUMNS)
    quirks.append(quirk("accounts", "count field not a non-negative integer", bad_counts, "set missing"))
    for column in ("verified", "default_profile", "default_profile_image", "protected"):
        accounts[column] = to_bool(accounts[column])
    for column in ("screen_name", "name", "description", "location", "lang", "url"):
        accounts[column] = text_or_na(accounts[column]).to_numpy()
    accounts = accounts.drop(columns=["created_at_raw"])
    accounts, dup = reject_repeats(accounts, "accounts", path, "account_id", "duplicate user ID (first kept)", rejected)
    quirks.append(quirk("accounts", "duplicate user IDs", int(dup.sum()), "first kept, others rejected"))
    quirks.append(quirk("accounts", "no labels in the public sample", len(accounts), "label left missing"))
    quirks.append(quirk("accounts", "collection time not in the data", len(accounts), "collected_at left missing"))
    accounts["collected_at"] = pd.NaT
    accounts["label"] = pd.NA
    accounts["label_source"] = pd.NA
    accounts["account_kind"] = pd.NA
    accounts["in_sample"] = True
    accounts["id_kind"] = "user_id"

    # follows
    sample_ids = set(accounts["account_id"])
    edges = []
    for follower, followee, number, side in edge_rows:
        a, b = id_string(follower), id_string(followee)
        if a is None or b is None:
            rejected.append(
                reject(
                    "follows",
                    path,
                    number,
                    f"neighbor.{side}",
                    follower if a is None else followee,
                    "neighbor id is not a string of digits",
                )
            )
            continue
        if a == b:
            rejected.append(reject("follows", path, number, f"neighbor.{side}", a, "self-follow"))
            continue
        edges.append((a, b, number))
    follows = pd.DataFrame(edges, columns=["follower_id", "followee_id", SOURCE_ROW])
    dup_edges = follows.duplicated(["follower_id", "followee_id"], keep="first")
    follows = _reject_edges(follows, dup_edges, path, "duplicate edge (first kept)", rejected)
    quirks.append(
        quirk(
            "follows",
            "duplicate follow edges (listed from both ends)",
            int(dup_edges.sum()),
            "first kept, others rejected",
        )
    )
    outside = sorted((set(follows["follower_id"]) | set(follows["followee_id"])) - sample_ids)
    if stubs_wanted:
        first_row: dict[str, int] = {}
        for a, b, number in edges:
            first_row.setdefault(a, number)
            first_row.setdefault(b, number)
        stubs = pd.DataFrame(
            {
                "account_id": outside,
                SOURCE_ROW: [first_row[i] for i in outside],
                "in_sample": False,
                "id_kind": "user_id",
            }
        )
        accounts = pd.concat([accounts, stubs], ignore_index=True)
        accounts[SOURCE_ROW] = accounts[SOURCE_ROW].astype("int64")
        quirks.append(
            quirk(
                "accounts",
                "follow-edge endpoints outside the sample",
                len(outside),
                "added minimal account rows (account_id only, in_sample=false)",
            )
        )
    else:
        bad = ~(follows["follower_id"].isin(sample_ids) & follows["followee_id"].isin(sample_ids))
        follows = _reject_edges(follows, bad, path, "endpoint outside the sample", rejected)
        quirks.append(quirk("follows", "follow edges to accounts outside the sample", int(bad.sum()), "rejected"))
    accounts["in_sample"] = accounts["in_sample"].astype("boolean")
    accounts["twibot_domains"] = accounts["twibot_domains"].astype("string")

    # posts
    posts = pd.DataFrame(post_rows, columns=["post_id", "account_id", "text", SOURCE_ROW])
    by_name = {}
    for account_id, name in zip(accounts["account_id"], accounts["screen_name"]):
        if isinstance(name, str):
            by_name.setdefault(name.lower(), account_id)
    matches = [_RETWEET.match(t) if isinstance(t, str) else None for t in posts["text"]]
    names = pd.Series([m.group(1) if m else None for m in matches], index=posts.index, dtype="object")
    posts["kind"] = pd.Series(
        ["retweet" if isinstance(n, str) else "original" for n in names], index=posts.index, dtype="string"
    )
    posts["rt_screen_name"] = names.astype("string")
    posts["rt_account_id"] = pd.Series(
        [by_name.get(n.lower()) if isinstance(n, str) else None for n in names], index=posts.index, dtype="string"
    )
    posts["created_at"] = pd.Series(pd.NaT, index=posts.index, dtype="datetime64[ns, UTC]")
    posts["parent_post_id"] = pd.Series(pd.NA, index=posts.index, dtype="string")
    posts["text"] = posts["text"].astype("string")
    posts["post_id"] = posts["post_id"].astype("string")
    posts["account_id"] = posts["account_id"].astype("string")
    posts = posts[
        [
            "post_id",
            "account_id",
            "created_at",
            "kind",
            "parent_post_id",
            "text",
            "rt_screen_name",
            "rt_account_id",
            SOURCE_ROW,
        ]
    ]
    retweets = int((posts["kind"] == "retweet").sum())
    resolved = int(posts["rt_account_id"].notna().sum())
    n_posts = len(posts)
    quirks += [
        quirk("posts", "tweets have no id", n_posts, "post_id = '<account_id>:<index in the list>'"),
        quirk("posts", "tweets have no time", n_posts, "created_at left missing (no time-based splits or delays)"),
        quirk("posts", "tweet text ends with a newline", tweet_newline, "trailing newlines stripped"),
        quirk("posts", "user with no tweet list", no_tweets, "no posts for that user"),
        quirk(
            "posts",
            "retweet ('RT @name:') with no parent id",
            retweets,
            "kind=retweet, parent_post_id missing; rt_screen_name kept",
        ),
        quirk(
            "posts",
            "retweeted screen name resolved to a sample account",
            resolved,
            "rt_account_id set (case-insensitive screen-name match)",
        ),
        quirk("posts", "retweeted screen name outside the sample", retweets - resolved, "rt_account_id missing"),
    ]
    return AdapterResult(
        tables={
            "accounts": finish_accounts(accounts),
            "posts": sort_frame(posts, ["post_id"]),
            "follows": sort_frame(
                follows.astype({"follower_id": "string", "followee_id": "string"}), ["follower_id", "followee_id"]
            ),
        },
        source_files={"accounts": str(path), "posts": str(path), "follows": str(path)},
        rows_read={"accounts": n_users, "posts": n_posts, "follows": len(edge_rows)},
        quirks=quirks,
        rejected=rejected_frame(rejected),
    )
