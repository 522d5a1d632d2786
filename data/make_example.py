"""Regenerate data/example_generic/: a small platform in the generic (canonical CSV) format.

It is the worked example of docs/datasets.md ("Bringing your own data"): the CSV files a user would fill
for their own data, produced here by the seeded simulator so that they are realistic and labelled.
Run from the repository root:  python data/make_example.py
"""

from pathlib import Path

from spreadwatch.simulate import SimulationConfig, simulate_platform

OUT = Path(__file__).resolve().parent / "example_generic"

# The columns a user typically has; everything else in the canonical model is optional.
COLUMNS = {
    "accounts": [
        "account_id",
        "screen_name",
        "name",
        "description",
        "created_at",
        "collected_at",
        "followers_count",
        "friends_count",
        "statuses_count",
        "favourites_count",
        "listed_count",
        "verified",
        "default_profile",
        "label",
        "label_source",
    ],
    "cascades": [
        "cascade_id",
        "root_post_id",
        "root_account_id",
        "created_at",
        "url",
        "domain",
        "label",
        "is_misinformation",
        "label_source",
        "event_id",
    ],
    "posts": ["post_id", "account_id", "created_at", "text", "domain", "kind", "parent_post_id"],
    "engagements": [
        "engagement_id",
        "cascade_id",
        "parent_engagement_id",
        "parent_post_id",
        "parent_account_id",
        "child_post_id",
        "child_account_id",
        "kind",
        "time",
        "delay_s",
    ],
    "follows": ["follower_id", "followee_id"],
}


def main() -> None:
    tables = simulate_platform(SimulationConfig(n_accounts=200, days=2, seed=11, cascades_per_day=15))
    OUT.mkdir(parents=True, exist_ok=True)
    for table, columns in COLUMNS.items():
        frame = tables[table]
        kept = [c for c in columns if c in frame.columns]
        frame[kept].to_csv(OUT / f"{table}.csv", index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
        print(f"{table}: {len(frame)} rows, {len(kept)} columns")


if __name__ == "__main__":
    main()
