"""Constants and the configuration of the synthetic platform.

``SimulationConfig`` holds every knob (validated in ``__post_init__``, derived defaults as ``*_`` properties);
``_kind_counts`` turns it into accounts per kind; ``_rng(cfg, stream)`` gives each component its own seeded
generator, so one component's draws never shift another's.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------------------------
# constants
# ----------------------------------------------------------------------------------------------
HUMAN, SEEDER, NEWS_R, NEWS_L, CYBORG, SPAM, AMP, FAKE = range(8)
ACCOUNT_KINDS = (
    "human",
    "human_misinfo_seeder",
    "news_reliable",
    "news_lowcred",
    "cyborg",
    "spam_bot",
    "amplifier_bot",
    "fake_follower",
)
BOT_KINDS = ("cyborg", "spam_bot", "amplifier_bot", "fake_follower")
SOURCE_KINDS = ("news_lowcred", "human_misinfo_seeder")
TABLE_KEYS = {
    "accounts": ["account_id"],
    "posts": ["post_id"],
    "cascades": ["cascade_id"],
    "engagements": ["engagement_id"],
    "follows": ["follower_id", "followee_id"],
    "domains": ["domain"],
}
N_COMMUNITIES = 8
_DILUTION = 0.5  # attention dilution: per-follower engagement ~ (1 + audience / mean degree)^-0.5
DAY = 86400.0
TWITTER_EPOCH_MS = 1288834974657
SNOWFLAKE_USERS_FROM = pd.Timestamp("2013-12-01", tz="UTC").value // 10**6
PLATFORM_START_MS = pd.Timestamp("2006-03-21", tz="UTC").value // 10**6
# engagement kinds
RT, REPLY, QUOTE = 0, 1, 2
ENG_KIND_NAMES = np.array(["retweet", "reply", "quote"], dtype=object)

# fmt: off
# local-hour activity profiles (index = local hour)
_HUMAN_HOURS = np.array([3, 2, 1.2, .8, .6, .6, 1, 2, 3.5, 4.5, 5, 5, 5.5, 5, 4.8, 4.8, 5, 5.5, 6, 6.5,
                         7, 6.5, 5.5, 4.5], dtype=float)
_TZ = np.array([-8, -7, -6, -5, -3, 0, 1, 2, 3, 5.5, 7, 8, 9, 10], dtype=float)
_TZ_P = np.array([.08, .03, .07, .2, .06, .12, .14, .05, .04, .06, .03, .05, .05, .02])
_TZ_LANGS = {
    -8: ["en", "en", "es"], -7: ["en"], -6: ["en", "es"], -5: ["en", "en", "es"], -3: ["pt", "es"],
    0: ["en"], 1: ["de", "fr", "es", "it", "en", "nl"], 2: ["en", "tr", "el", "fi"], 3: ["ar", "ru", "tr"],
    5.5: ["en", "hi"], 7: ["th", "id", "en"], 8: ["zh", "en", "tl"], 9: ["ja", "ko"], 10: ["en"],
}
# fmt: on


# ----------------------------------------------------------------------------------------------
# configuration
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SimulationConfig:
    """Knobs of the synthetic platform (see the module docstring for the model).

    n_accounts: accounts in the sample (>= 100).
    days: length of the observation window (posts, cascades) in days (>= 1).
    seed: random seed; same seed and config -> identical tables.
    bot_share: share of accounts that are bots (cyborg + spam + amplifier + fake follower), <= 0.9.
    difficulty: 0 = easy/separable .. 1 = heavy overlap; sets the defaults of the overlap knobs.
    bot_kind_weights: relative shares of (spam_bot, amplifier_bot, fake_follower, cyborg) among bots.
    n_domains: news domains (each with one official account); default ``clip(10 + n/2000, 12, 120)``.
    lowcred_domain_share: share of the domains that are low-credibility.
    misinfo_seeder_share: share of accounts that are hyperpartisan human seeders (at least 3).
    misinfo_event_share: share of stories (events) that are false.
    cascades_per_day: URL cascades started per day; default ``max(5, n_accounts / 80)``.
    mean_sampled_friends: mean in-sample out-degree of the follow graph.
    offplatform_multiplier: followers/friends outside the sample per observed edge (counts = degree +
        off-platform part; see module docstring).
    very_active_share: share of (non-lurker) humans that are very active.
    amplifier_group_size: (min, max) members of a coordinated amplifier group.
    amplify_client_prob: probability that a group amplifies a post of a low-credibility/seeder client.
    amplify_mainstream_prob: the same for a mainstream client (reliable outlet, ordinary human).
    engagement_rate: base probability that a follower engages an exposure (times virality, propensity).
    max_cascade_size: cap on engagements per cascade; default ``max(200, min(n_accounts // 10, 5000))``.
    camouflage, human_botlike_share, coordination_window_s: overlap knobs; ``None`` = derived from
        ``difficulty`` (module docstring).
    start: UTC start of the observation window (ISO time).
    """

    n_accounts: int = 5000
    days: int = 14
    seed: int = 0
    bot_share: float = 0.15
    difficulty: float = 0.5
    bot_kind_weights: tuple[float, float, float, float] = (0.30, 0.25, 0.30, 0.15)
    n_domains: int | None = None
    lowcred_domain_share: float = 0.4
    misinfo_seeder_share: float = 0.004
    misinfo_event_share: float = 0.4
    cascades_per_day: float | None = None
    mean_sampled_friends: float = 20.0
    offplatform_multiplier: float = 9.0
    very_active_share: float = 0.05
    amplifier_group_size: tuple[int, int] = (5, 30)
    amplify_client_prob: float = 0.4
    amplify_mainstream_prob: float = 0.08
    engagement_rate: float = 0.018
    max_cascade_size: int | None = None
    camouflage: float | None = None
    human_botlike_share: float | None = None
    coordination_window_s: float | None = None
    start: str = "2024-03-04T00:00:00+00:00"

    def __post_init__(self) -> None:
        def bad(msg: str) -> None:
            raise ValueError(f"SimulationConfig: {msg}")

        if int(self.n_accounts) != self.n_accounts or self.n_accounts < 100:
            bad(f"n_accounts must be an integer >= 100, got {self.n_accounts!r}")
        if int(self.days) != self.days or self.days < 1:
            bad(f"days must be an integer >= 1, got {self.days!r}")
        for name in (
            "bot_share",
            "difficulty",
            "lowcred_domain_share",
            "misinfo_seeder_share",
            "misinfo_event_share",
            "very_active_share",
            "amplify_client_prob",
            "amplify_mainstream_prob",
            "engagement_rate",
        ):
            v = getattr(self, name)
            if not (0.0 <= v <= 1.0):
                bad(f"{name} must be in [0, 1], got {v!r}")
        for name in ("camouflage", "human_botlike_share"):
            v = getattr(self, name)
            if v is not None and not (0.0 <= v <= 1.0):
                bad(f"{name} must be in [0, 1] or None, got {v!r}")
        if self.bot_share > 0.9:
            bad(f"bot_share must be <= 0.9, got {self.bot_share!r}")
        if len(self.bot_kind_weights) != 4 or min(self.bot_kind_weights) < 0 or sum(self.bot_kind_weights) <= 0:
            bad("bot_kind_weights must be 4 non-negative weights (spam, amplifier, fake_follower, cyborg)")
        lo, hi = self.amplifier_group_size
        if not (2 <= lo <= hi):
            bad(f"amplifier_group_size must be (min, max) with 2 <= min <= max, got {self.amplifier_group_size!r}")
        if self.n_domains is not None and not (2 <= self.n_domains <= 1000):
            bad(f"n_domains must be in [2, 1000], got {self.n_domains!r}")
        if self.cascades_per_day is not None and self.cascades_per_day <= 0:
            bad("cascades_per_day must be > 0")
        if self.mean_sampled_friends <= 0 or self.offplatform_multiplier < 0:
            bad("mean_sampled_friends must be > 0 and offplatform_multiplier >= 0")
        if self.coordination_window_s is not None and self.coordination_window_s < 0:
            bad("coordination_window_s must be >= 0")
        try:
            ts = pd.Timestamp(self.start)
        except ValueError as exc:
            raise ValueError(f"SimulationConfig: start is not a time: {self.start!r}") from exc
        if ts.tzinfo is None:
            bad("start must carry a time zone (e.g. +00:00)")
        if ts.tz_convert("UTC") < pd.Timestamp("2015-01-01", tz="UTC"):
            bad("start must be >= 2015-01-01")
        n_human = self.n_accounts - _kind_counts(self)[[SEEDER, NEWS_R, NEWS_L, CYBORG, SPAM, AMP, FAKE]].sum()
        if n_human < max(10, 0.05 * self.n_accounts):
            bad("too few ordinary humans left (lower bot_share, n_domains or misinfo_seeder_share)")

    # derived knobs -----------------------------------------------------------------------------
    @property
    def camouflage_(self) -> float:
        return 0.1 + 0.6 * self.difficulty if self.camouflage is None else float(self.camouflage)

    @property
    def human_botlike_share_(self) -> float:
        return 0.25 * self.difficulty if self.human_botlike_share is None else float(self.human_botlike_share)

    @property
    def coordination_window_s_(self) -> float:
        if self.coordination_window_s is None:
            return 5.0 + 25.0 * self.difficulty
        return float(self.coordination_window_s)

    @property
    def n_domains_(self) -> int:
        if self.n_domains is not None:
            return int(self.n_domains)
        return int(np.clip(round(10 + self.n_accounts / 2000), 12, 120))

    @property
    def cascades_per_day_(self) -> float:
        return max(5.0, self.n_accounts / 80) if self.cascades_per_day is None else float(self.cascades_per_day)

    @property
    def max_cascade_size_(self) -> int:
        if self.max_cascade_size is None:
            return int(max(200, min(self.n_accounts // 10, 5000)))
        return int(self.max_cascade_size)


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    raw = w * total
    out = np.floor(raw).astype(np.int64)
    rest = total - out.sum()
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:rest]] += 1
    return out


def _kind_counts(cfg: SimulationConfig) -> np.ndarray:
    n = int(cfg.n_accounts)
    counts = np.zeros(8, dtype=np.int64)
    n_bots = int(round(cfg.bot_share * n))
    spam, amp, fake, cyb = _largest_remainder(n_bots, np.asarray(cfg.bot_kind_weights, dtype=float))
    counts[[SPAM, AMP, FAKE, CYBORG]] = spam, amp, fake, cyb
    nd = cfg.n_domains_
    n_low = int(min(nd - 1, max(1, round(cfg.lowcred_domain_share * nd))))
    counts[NEWS_L] = n_low
    counts[NEWS_R] = nd - n_low
    counts[SEEDER] = max(3, int(round(cfg.misinfo_seeder_share * n))) if cfg.misinfo_seeder_share > 0 else 0
    counts[HUMAN] = n - counts[1:].sum()
    return counts


def _rng(cfg: SimulationConfig, stream: str) -> np.random.Generator:
    """One independent generator per component, so components do not shift each other's draws."""
    return np.random.default_rng([int(cfg.seed), zlib.crc32(stream.encode())])


def _ln(rng: np.random.Generator, med: float, sig: float, m: int) -> np.ndarray:
    return med * np.exp(sig * rng.standard_normal(m))
