"""Seeded synthetic social platform: the embedded default dataset of spreadwatch.

``simulate_platform(SimulationConfig(...))`` returns the six canonical tables of ``docs/data-model.md``
(``accounts``, ``posts``, ``cascades``, ``engagements``, ``follows``, ``domains``) for a Twitter-like
platform with planted social bots and misinformation sources; ``write_tables`` stores them as
byte-identical Parquet files. Everything is vectorised numpy; one seed gives one platform.

What is simulated
-----------------
Accounts (``accounts.account_kind`` is the ground truth, ``label`` its bot/human view,
``label_source = "synthetic"``):

==========================  =======  ==========================================================
kind                        label    behaviour
==========================  =======  ==========================================================
``human``                   human    circadian (per-user time zone, chronotype, sleep window),
                                     bursty sessions (heavy-tailed inter-event times, bursty
                                     days), heavy-tailed activity with a ``very_active_share``;
                                     a ``human_botlike_share`` are newcomers/lurkers with
                                     bot-looking profiles (young, default profile, few posts).
``human_misinfo_seeder``    human    ordinary-looking hyperpartisan accounts that root false
                                     cascades (planted misinformation sources).
``news_reliable``           human    official account of one reliable domain; posts its URLs.
``news_lowcred``            human    official account of one low-credibility domain (planted
                                     misinformation source).
``cyborg``                  bot      human-like profile and sessions, but a share of its posts
                                     and retweets is automated (fast, scheduled, no sleep).
``spam_bot``                bot      posts on a fixed schedule (period + small jitter), many URLs
                                     (spam domains and news links), templated texts, replies.
``amplifier_bot``           bot      organised in coordinated groups (``accounts.coord_group``);
                                     a group follows its "clients" (low-credibility outlets,
                                     seeders, a few mainstream accounts) and retweets their new
                                     posts within the first minutes, members within seconds of
                                     each other.
``fake_follower``           bot      default profiles, few posts, follow many (partly the same
                                     "customer" accounts, created in batches), few followers.
==========================  =======  ==========================================================

``planted_sources(accounts)`` returns the ids of the planted misinformation sources
(``news_lowcred`` and ``human_misinfo_seeder``).

Follower graph (``follows``): every account draws an in-sample out-degree (kind dependent) and every
edge picks its followee by preferential attachment on a heavy-tailed fitness (Pareto for humans, large
for news outlets) times an age advantage (older accounts accumulated more followers), with community
homophily (community 0 is a hyperpartisan echo chamber holding the low-credibility outlets and seeders).
Special edges: fake followers follow "customers", amplifier groups follow each other and their clients.
The simulated population is a sample of a bigger platform: ``followers_count = in-degree + off-platform``
and ``friends_count = out-degree + off-platform`` where the off-platform part is
``(degree + 0.3) * offplatform_multiplier * lognormal(0, 0.35)``; so counts are >= the observed degrees
and rank-consistent with them. ``statuses_count`` = posts in the window + lifetime posts before it.

Cascades: stories (``event_id``, 3-10 cascades each, one label per story; a share
``misinfo_event_share`` is false) are posted as URL posts by outlets, seeders or ordinary accounts
(false stories mostly from low-credibility outlets and seeders and mostly on low-credibility domains;
true ones mostly from reliable outlets, with overlap both ways). They spread along follow edges: an
account engages a post that a followee posted or retweeted, with probability
``engagement_rate * (n_accounts / 20000)^-0.2 * virality * propensity * (1 + poster in-degree /
mean_sampled_friends)^-0.5`` (attention dilution: big audiences engage less per follower; the sample-size
factor keeps cascade sizes roughly stable across ``n_accounts`` because hubs' in-sample audiences grow
with the sample). Misinformation multiplies the propensity by the follower's misinformation affinity
(high in the echo chamber). Cascades are capped at ``max_cascade_size``. Delays are lognormal per user,
pushed out of the sleep
window (most engagement within hours), an interest decay per cascade, retweets mostly plus replies and
quotes. Amplifier groups add their coordinated retweets of client posts (mostly misinformation, with
``amplify_mainstream_prob`` also mainstream content). Every engagement is also a post (kind
``retweet``/``reply``/``quote`` with ``parent_post_id`` and ``cascade_id``); ``engagement_id`` equals
the child post id. ``delay_s`` is measured from the cascade root.

Ids and times: account ids follow Twitter's history (small sequential ids for accounts created before
2014, 19-digit snowflakes after), post ids are snowflakes of their creation time, cascade and event ids
are random hex; all are strings, many exceed float precision. Times are UTC. Ids carry no label.

Overlap knobs (how hard the bot/human and misinformation tasks are)
-------------------------------------------------------------------
``difficulty`` (0 easy .. 1 hard) sets the defaults of the knobs below:

- ``camouflage`` (default ``0.1 + 0.6 * difficulty``): mean of each bot's sophistication
  ``s ~ Beta``; every profile field of the bot (age, degree targets, fitness, posting/liking/listing
  rates, each boolean flag, name/description style) is drawn from the human distribution with
  probability ``s``.
- ``human_botlike_share`` (default ``0.25 * difficulty``): share of humans with newcomer/lurker profiles.
- ``coordination_window_s`` (default ``5 + 25 * difficulty``): spread of a group's retweets;
  group participation ``0.85 - 0.3 * difficulty``; group trigger delay median ``45 s * (1 + difficulty)``.
- spam schedule jitter ``period * (0.01 + 0.15 * difficulty)``; cyborg automated share
  ``0.6 - 0.3 * difficulty``; sensational headline share ``0.75 - 0.4 * difficulty`` for false and
  ``0.05 + 0.15 * difficulty`` for true stories.
- ``amplify_client_prob`` / ``amplify_mainstream_prob``: how often a group amplifies a post of a
  misinformation client / of a mainstream client (reliable outlet or ordinary human).

Measured (5000 accounts, 5-fold random forest on ``profile_features``): ROC AUC about 0.96 at
difficulty 0, 0.89 at 0.5 and 0.79 at 1; the best single profile column stays below 0.9 at every
difficulty (about 0.75 at 0.5, ``single_feature_aucs``). Cyborgs are the hardest kind by design.

Not simulated: likes as events, follow/unfollow dynamics, deletions/suspensions, retweets of posts
outside URL cascades (so ordinary humans' posts are mostly originals).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "SimulationConfig",
    "simulate_platform",
    "write_tables",
    "planted_sources",
    "profile_features",
    "single_feature_aucs",
    "ACCOUNT_KINDS",
    "BOT_KINDS",
    "SOURCE_KINDS",
    "TABLE_KEYS",
]

# ----------------------------------------------------------------------------------------------
# constants
# ----------------------------------------------------------------------------------------------
HUMAN, SEEDER, NEWS_R, NEWS_L, CYBORG, SPAM, AMP, FAKE = range(8)
ACCOUNT_KINDS = (
    "human", "human_misinfo_seeder", "news_reliable", "news_lowcred",
    "cyborg", "spam_bot", "amplifier_bot", "fake_follower",
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

# local-hour activity profiles (index = local hour)
_HUMAN_HOURS = np.array([3, 2, 1.2, .8, .6, .6, 1, 2, 3.5, 4.5, 5, 5, 5.5, 5, 4.8, 4.8, 5, 5.5, 6, 6.5,
                         7, 6.5, 5.5, 4.5], dtype=float)
_NEWS_HOURS = np.array([.5, .3, .2, .2, .2, .3, 1, 2, 3, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3, 2.5,
                        2, 1.5, 1.2, 1, .7], dtype=float)
_TZ = np.array([-8, -7, -6, -5, -3, 0, 1, 2, 3, 5.5, 7, 8, 9, 10], dtype=float)
_TZ_P = np.array([.08, .03, .07, .2, .06, .12, .14, .05, .04, .06, .03, .05, .05, .02])
_TZ_LANGS = {
    -8: ["en", "en", "es"], -7: ["en"], -6: ["en", "es"], -5: ["en", "en", "es"], -3: ["pt", "es"],
    0: ["en"], 1: ["de", "fr", "es", "it", "en", "nl"], 2: ["en", "tr", "el", "fi"], 3: ["ar", "ru", "tr"],
    5.5: ["en", "hi"], 7: ["th", "id", "en"], 8: ["zh", "en", "tl"], 9: ["ja", "ko"], 10: ["en"],
}

# ----------------------------------------------------------------------------------------------
# word lists (all names fictional; a few deliberately contain <, &, quotes and emoji)
# ----------------------------------------------------------------------------------------------
_FIRST = ["James", "Maria", "Wei", "Aisha", "Lukas", "Sofia", "Mateo", "Chloé", "Hiroshi", "Fatima",
          "Olu", "Priya", "Noah", "Emma", "Liam", "Ava", "Mohammed", "Yuki", "Zoë", "Javier", "Ingrid",
          "Kwame", "Anya", "Diego", "Léa", "Rahul", "Grace", "Omar", "Sven", "Mei", "Carlos", "Nadia",
          "Ethan", "Isabella", "Tomás", "Amara", "Jonas", "Elif", "Kofi", "Hannah", "Sean", "Chiara",
          "Ravi", "Lucía", "Marek", "Ngozi", "Oscar", "Saanvi", "Tariq", "Freya", "Daniel", "Julia",
          "Arjun", "Nora", "Felix", "Leila", "Hugo", "Maya", "Ivan", "Rosa"]
_LAST = ["Smith", "García", "Chen", "Okafor", "Müller", "Rossi", "Nguyen", "Kowalski", "Silva", "Haddad",
         "O'Brien", "Johansson", "Patel", "Kim", "Dubois", "Yamamoto", "Ivanova", "Mensah", "López",
         "Brown", "Fischer", "Cohen", "Singh", "Andersen", "Novak", "Costa", "Ali", "Murphy", "Santos",
         "Tanaka", "Walker", "Ahmed", "Moreau", "Larsen", "Reyes", "Wright", "Schwartz", "Bianchi",
         "Kaya", "Osei"]
_ODD_NAMES = ['Ana "Pixie" Ruiz', "Tom & Jerry Fan", "<3 Mia <3", "🌸 Lily 🌸", "Dr. Ben O'Neil",
              "J&J 🍀", "Sam <Sam>", "ジョン", "Élodie ✨", 'Mark "the shark"', "R&B Queen 👑",
              "Kat </b>", "Dave 🤷\u200d♂️"]
_SPAM_BRAND = ["Best Deals", "Promo Hub", "Crypto Signals", "Giveaway", "Free Gifts", "Lucky Spin",
               "Daily Coupons", "Fast Followers", "Win Big", "Shop Smart"]
_SPAM_BRAND_TAIL = ["4U", "24/7", "Official", "🔥", "HQ", "Daily", "💰", "Club", "& More", "Store"]
_PARTISAN_NAME = ["Patriot", "Truth Seeker", "Freedom Lover", "Proud Citizen", "Awake", "Liberty",
                  "Red Pill", "Sovereign", "Vigilant", "Eagle Eye"]
_PARTISAN_TAIL = ["🇺🇸", "🦅", "✝️", "#WakeUp", "1776", "Q", "⚔️", "🔔", "(parody?)", "& Proud"]

_DESC_ROLE = ["Dad", "Mom", "Teacher", "Nurse", "Software engineer", "Student", "Runner",
              "Photographer", "Coffee addict", "Gardener", "PhD candidate", "Journalist", "Designer",
              "Retired", "Chef", "Musician", "Lawyer", "Gamer", "Bookworm", "Cyclist", "Data nerd",
              "Small business owner", "Artist", "Nurse practitioner", "Farmer"]
_DESC_MID = ["of two", "in Ohio", "@ a startup", "at heart", "and dog person", "| views my own",
             "& amateur baker", "| she/her", "| he/him", "who loves jazz 🎷", "from Lagos",
             "living in Berlin", "& cat person 🐈", "on weekends", "by day, DJ by night", "(retired)",
             "& proud aunt", "| they/them", "chasing sunsets"]
_DESC_TAIL = ["🌍", "📚", "⚽", "Opinions my own.", "RTs ≠ endorsements", '"Be kind"', "<3", "& more",
              "#WeAreOne", "☕", "🎶", "Go team!", "<b>not a bot</b>", "Tea > coffee", "🙂"]
_DESC_SPAM = ["Best deals daily", "Follow for giveaways", "Earn $$$ from home", "Crypto signals 🚀",
              "DM for promo", "Free followers fast", "Top offers & coupons"]
_DESC_SPAM_TAIL = ["👉 link below", "100% legit", "Limited offer!", "#ad", "Click >>>", "DM now",
                   "Follow & RT"]
_DESC_PARTISAN = ["Patriot", "Truth seeker", "Proud citizen", "Freedom lover", "Wake up!",
                  "Question everything", "Mother & patriot", "God, family, country",
                  "Do your own research", "Not afraid to speak"]
_DESC_PARTISAN_TAIL = ["🇺🇸", "#WakeUp", "#Truth", "No DMs", "Fighting for our future",
                       "They lie, we dig", "Blocked by the best", '"Trust no one"']
_DESC_FAKE = ["Hi", "Love life", "...", "Just here", "🙂", "Follow back", "Living", "Music"]
_LOCATIONS = ["New York, NY", "London", "São Paulo", "Lagos", "Berlin", "Mumbai", "Tokyo", "Texas, USA",
              "Paris & Lyon", "Earth 🌍", "somewhere <here>", "Toronto, ON", "Sydney", "Madrid",
              "Nairobi", "Seoul", "Chicago", "Manila", "Mexico City", "Ohio", "Cape Town", "Dublin",
              "Istanbul", "Jakarta", "\"home\""]

_CHAT_OPEN = ["just", "honestly", "can't believe", "so", "today", "finally", "anyone else watching",
              "lol", "why is", "love", "ugh", "thinking about", "reminder:", "hot take:", "me vs"]
_CHAT_TOPIC = ["coffee", "the game", "my cat", "this weather", "the new album", "work", "traffic",
               "the election", "tax season", "the match", "my garden", "that movie", "Monday", "pizza",
               "the gym", "the news", "rent prices", "my commute", "the finale", "school run", "the bus"]
_CHAT_TAIL = ["again", "😂", "🙄", "❤️", "is wild", "&amp; I'm done", "<3", "!!", "...", "tbh",
              '"again"', "#mood", "#fridayfeeling", "right now", "lmao", "🔥", "ok bye", "send help"]
_SPAM_OPEN = ["🔥 Deal:", "Limited offer:", "FREE", "Giveaway!", "Win a", "Last chance:", "Flash sale:"]
_SPAM_PROD = ["iPhone 15", "crypto bonus", "$500 gift card", "sneakers", "1000 followers", "VPN",
              "PS5", "airdrop"]
_SPAM_CTA = ["click", "tap here", "join now", "claim now", "DM us"]
_SPAM_TAGS = ["#giveaway", "#crypto", "#deal", "#free", "#win", "#promo"]
_SPAM_DOMAINS = ["bestdeals4u.biz", "freegiftz.top", "cryptoboost.xyz", "win-prize.click",
                 "promo-hub.shop", "fastfollow.site", "luckyspin.top", "earnfromhome.biz"]
_AMP_SLOGAN = ["Share before they delete this!", "The truth is coming out.", "Wake up people!",
               "Do your own research.", "Mainstream media won't report this.", "We will not comply.",
               "They don't want you to see this.", "Retweet if you agree!"]
_AMP_TAGS = ["#WakeUp", "#Truth", "#MediaBlackout", "#StopTheLies", "#DoYourResearch"]
_FAKE_TEXT = ["hello", "nice", "good morning", "👍", "wow", "so true", "hi all", "yes"]

_ROOT_COMMENT = ["Wow.", "Read this:", "This is huge", "Must read 👇", "Thoughts?", "Unbelievable!!",
                 "Not surprised.", "Everyone needs to see this", "Interesting", "Worth a read",
                 "Big if true", "Finally some good news"]
_REPLY = ["this is fake", "source?", "exactly!", "so true", "lol no", "thanks for sharing",
          "wow", "can't believe it", "👏👏", "this 👆", "not true, read the report", "ok & then?",
          "100%", "disgusting", "makes sense", "where is this from?"]
_QUOTE = ["Look at this", "Called it.", "Read this thread", "This 👇", "Yikes", "Important",
          "Interesting take", "Unreal", "Share this", "Hmm"]

_PERSON = ["Senator Hale", "Governor Ruiz", "Dr. Amara Osei", "Mayor Lindqvist", "CEO Dana Whitfield",
           "Minister Okoro", "Judge Brandt", "Professor Ito", "Rep. Caldwell", "The health agency",
           "The central bank", "The election board", "City Council", "The tech giant", "The WHO panel",
           "A pharma firm", "The school board", "The police chief", "The energy regulator",
           "The space agency"]
_TOPIC = ["vaccine trial", "election audit", "5G towers", "water supply", "tax plan", "climate report",
          "border policy", "vote count", "bank collapse", "school curriculum", "food additive",
          "wildfire response", "AI chatbot", "crypto exchange", "heat wave plan", "measles outbreak",
          "stock market", "mail-in ballots", "pension fund", "bird flu", "chemtrail study",
          "minimum wage", "bridge repair", "GMO labels"]
_VERB = ["announces", "delays", "reviews", "approves", "rejects", "faces questions over",
         "publishes data on", "expands", "cuts funding for", "defends", "investigates", "responds to",
         "changes rules on", "warns about"]
_SENS_PRE = ["BREAKING:", "EXPOSED:", "SHOCKING:", "You won't believe it:", "Leaked:", "URGENT:"]
_SENS_SUF = ["- the cover-up", "they don't want you to know", "!!!", "(what media hides)",
             "- share now", "& nobody talks about it"]
_CALM_SUF = ["- report", "- analysis", "(update)", "- what we know", "- explainer", "- live"]

_REL_PREFIX = ["daily", "metro", "national", "northfield", "riverside", "capital", "global", "city",
               "morning", "evening", "harbor", "summit", "union", "pacific", "atlantic", "central",
               "valley", "lakeside", "westbrook", "eastport"]
_REL_NOUN = ["gazette", "ledger", "tribune", "herald", "chronicle", "observer", "times", "post",
             "journal", "dispatch", "courier", "review", "bulletin", "record", "sentinel"]
_REL_TLD = [".com", ".org", ".co.uk", ".net", ".news"]
_LOW_PREFIX = ["truth", "patriot", "freedom", "real", "liberty", "awake", "natural", "eagle", "redpill",
               "uncensored", "insider", "alpha", "sovereign", "freethinker", "vigilant"]
_LOW_NOUN = ["wire", "daily", "insider", "alert", "report", "news", "watch", "nation", "times",
             "network", "post", "beacon"]
_LOW_TLD = [".com", ".net", ".info", ".news", ".co", ".org"]


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
        for name in ("bot_share", "difficulty", "lowcred_domain_share", "misinfo_seeder_share",
                     "misinfo_event_share", "very_active_share", "amplify_client_prob",
                     "amplify_mainstream_prob", "engagement_rate"):
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


# ----------------------------------------------------------------------------------------------
# accounts (latent traits)
# ----------------------------------------------------------------------------------------------
def _by_kind(rng, kind, base: np.ndarray, specs: dict, skip: np.ndarray | None = None) -> np.ndarray:
    """Overwrite ``base`` for each kind in ``specs`` (callable m -> values), except where ``skip``."""
    out = base.copy()
    for k, fn in specs.items():
        sel = kind == k
        if skip is not None:
            sel &= ~skip
        m = int(sel.sum())
        if m:
            out[sel] = fn(m)
    return out


def _latent(cfg: SimulationConfig) -> SimpleNamespace:
    rng = _rng(cfg, "accounts")
    n = int(cfg.n_accounts)
    d = float(cfg.difficulty)
    counts = _kind_counts(cfg)
    kind = np.repeat(np.arange(8, dtype=np.int8), counts)[rng.permutation(n)]
    is_bot = kind >= CYBORG
    cam = cfg.camouflage_
    kappa = 2.0
    soph = np.where(is_bot, rng.beta(max(cam * kappa, 1e-3), max((1 - cam) * kappa, 1e-3), n), 0.0)

    def camo() -> np.ndarray:
        return is_bot & (rng.random(n) < soph)

    botlike = (kind == HUMAN) & (rng.random(n) < cfg.human_botlike_share_)
    very_active = (kind == HUMAN) & ~botlike & (rng.random(n) < cfg.very_active_share)

    # communities: 0 = hyperpartisan echo chamber
    comm = rng.integers(1, N_COMMUNITIES, n)
    partisan_h = (kind == HUMAN) & (rng.random(n) < 0.12)
    comm[partisan_h] = 0
    comm[(kind == SEEDER) & (rng.random(n) < 0.9)] = 0
    comm[kind == NEWS_L] = 0
    comm[kind == AMP] = 0

    # amplifier groups ------------------------------------------------------------------------
    amp_idx = np.flatnonzero(kind == AMP)
    group = np.full(n, -1, dtype=np.int64)
    lo, hi = cfg.amplifier_group_size
    sizes = []
    left = amp_idx.size
    while left > 0:
        s = int(rng.integers(lo, hi + 1))
        if left - s < lo and sizes and left - s > 0:
            s = left
        s = min(s, left)
        sizes.append(s)
        left -= s
    if amp_idx.size:
        group[amp_idx] = np.repeat(np.arange(len(sizes)), sizes)
    n_groups = len(sizes)

    # account age before the window start (days) -----------------------------------------------
    def beta(a, b, lo_, span):
        return lambda m: lo_ + span * rng.beta(a, b, m)

    age = 30 + 6000 * rng.beta(1.4, 1.8, n)
    c = camo()
    age = _by_kind(rng, kind, age, {
        SEEDER: beta(1.2, 1.5, 60, 4000), NEWS_R: beta(2, 1.5, 1500, 4800), NEWS_L: beta(1.5, 1.5, 200, 3500),
        CYBORG: beta(1.2, 1.8, 60, 5000), SPAM: beta(1, 2, 2, 1000),
    }, skip=c)
    age[botlike] = 2 + 500 * rng.beta(1, 2.5, int(botlike.sum()))
    if n_groups:
        g_age = 10 + 1500 * rng.beta(1, 1.5, n_groups)
        sel = (kind == AMP) & ~c
        age[sel] = g_age[group[sel]] + rng.uniform(0, 7, int(sel.sum()))
    fk = np.flatnonzero((kind == FAKE) & ~c)
    if fk.size:
        n_batches = max(3, fk.size // 200)
        b_age = 10 + 1000 * rng.beta(1, 2, n_batches)
        age[fk] = b_age[rng.integers(0, n_batches, fk.size)] + rng.uniform(0, 3, fk.size)
    age = np.maximum(age, 1.0)

    # in-sample out-degree target ---------------------------------------------------------------
    c = camo()
    kout = _ln(rng, 12, 0.9, n)
    kout = _by_kind(rng, kind, kout, {
        SEEDER: lambda m: _ln(rng, 30, .7, m), NEWS_R: lambda m: _ln(rng, 4, .8, m),
        NEWS_L: lambda m: _ln(rng, 8, .8, m), CYBORG: lambda m: _ln(rng, 20, .8, m),
        SPAM: lambda m: _ln(rng, 45, .6, m), AMP: lambda m: _ln(rng, 30, .6, m),
        FAKE: lambda m: _ln(rng, 55, .5, m),
    }, skip=c)
    kout[botlike] *= 0.4
    kout[very_active] *= 2.0
    kout *= cfg.mean_sampled_friends / kout.mean()
    kout = np.clip(np.round(kout), 1, max(2, n // 4)).astype(np.int64)

    # fitness (attractiveness as a followee) ----------------------------------------------------
    c = camo()
    alpha = 1.25
    fit = (1.0 - rng.random(n)) ** (-1.0 / alpha)
    fit = _by_kind(rng, kind, fit, {
        SEEDER: lambda m: 2 * (1.0 - rng.random(m)) ** (-1.0 / alpha),
        NEWS_R: lambda m: _ln(rng, 60, 1.0, m), NEWS_L: lambda m: _ln(rng, 25, 1.0, m),
        CYBORG: lambda m: 1.3 * (1.0 - rng.random(m)) ** (-1.0 / alpha),
        SPAM: lambda m: _ln(rng, .25, .6, m), AMP: lambda m: _ln(rng, .35, .6, m),
        FAKE: lambda m: _ln(rng, .06, .6, m),
    }, skip=c)
    fit[botlike] *= 0.15
    fit[very_active] *= 2.0
    fit *= ((age + cfg.days) / 365.0) ** 0.35
    # no account may attract more than ~8% of the sample (finite-size cap of the power law)
    for _ in range(3):
        fit = np.minimum(fit, 0.004 * fit.sum())

    # original posts per day --------------------------------------------------------------------
    c = camo()
    rate = _ln(rng, 0.5, 1.1, n)
    rate = _by_kind(rng, kind, rate, {
        SEEDER: lambda m: _ln(rng, 4, .6, m), NEWS_R: lambda m: np.zeros(m), NEWS_L: lambda m: np.zeros(m),
        CYBORG: lambda m: _ln(rng, 4, .8, m), SPAM: lambda m: _ln(rng, 10, .5, m),
        AMP: lambda m: _ln(rng, .6, .6, m), FAKE: lambda m: _ln(rng, .05, 1., m),
    }, skip=c)
    rate[botlike] *= 0.15
    rate[very_active] *= _ln(rng, 12, .5, int(very_active.sum()))

    # likes per day, listing rate ---------------------------------------------------------------
    c = camo()
    like = _ln(rng, 1.5, 1.2, n)
    like = _by_kind(rng, kind, like, {
        SEEDER: lambda m: _ln(rng, 8, 1, m), NEWS_R: lambda m: _ln(rng, .2, 1, m),
        NEWS_L: lambda m: _ln(rng, .2, 1, m), CYBORG: lambda m: _ln(rng, 3, 1, m),
        SPAM: lambda m: _ln(rng, .2, 1.2, m), AMP: lambda m: _ln(rng, 4, 1, m),
        FAKE: lambda m: _ln(rng, .01, 1.5, m),
    }, skip=c)
    like[botlike] *= 0.1
    like[very_active] *= 3
    c = camo()
    list_rate = _ln(rng, .004, .8, n)
    list_rate = _by_kind(rng, kind, list_rate, {
        SEEDER: lambda m: _ln(rng, .006, .6, m), NEWS_R: lambda m: _ln(rng, .012, .5, m),
        NEWS_L: lambda m: _ln(rng, .012, .5, m), CYBORG: lambda m: _ln(rng, .003, .8, m),
        SPAM: lambda m: _ln(rng, .0008, .8, m), AMP: lambda m: _ln(rng, .0015, .8, m),
        FAKE: lambda m: _ln(rng, .0003, .8, m),
    }, skip=c)

    # boolean profile fields: (human, botlike, seeder, news_r, news_l, cyborg, spam, amp, fake)
    flag_p = {
        "default_profile": (.35, .80, .20, .03, .10, .30, .60, .45, .90),
        "default_profile_image": (.04, .30, .01, 0, 0, .03, .20, .08, .55),
        "verified": (.008, 0, .03, .75, .15, .01, .002, .002, 0),
        "protected": (.06, .03, 0, 0, 0, .02, .005, .005, .01),
        "has_description": (.80, .35, .98, 1, 1, .85, .75, .90, .15),
        "has_location": (.60, .30, .70, .80, .60, .60, .20, .55, .10),
        "has_url": (.20, .03, .45, 1, 1, .35, .80, .10, .02),
    }
    kind_col = {SEEDER: 2, NEWS_R: 3, NEWS_L: 4, CYBORG: 5, SPAM: 6, AMP: 7, FAKE: 8}
    flags = {}
    for name, ps in flag_p.items():
        c = camo()
        p = np.full(n, ps[0])
        for k, j in kind_col.items():
            p[(kind == k) & ~c] = ps[j]
        p[botlike] = ps[1]
        flags[name] = rng.random(n) < p

    # name style: 0 human, 1 spam brand, 2 partisan, 3 default handle (random digits)
    c = camo()
    style = np.zeros(n, dtype=np.int8)
    r = rng.random(n)
    style[(kind == SPAM) & ~c] = np.where(r[(kind == SPAM) & ~c] < .6, 1, 3)
    style[(kind == AMP) & ~c] = np.where(r[(kind == AMP) & ~c] < .6, 2, 3)
    style[(kind == FAKE) & ~c] = np.where(r[(kind == FAKE) & ~c] < .8, 3, 0)
    style[(kind == SEEDER) & (r < .3)] = 2
    style[botlike & (r < .3)] = 3
    desc_style = style.copy()  # same families for descriptions
    desc_style[(kind == FAKE) & ~c] = 3

    # timing -------------------------------------------------------------------------------------
    tz = rng.choice(_TZ, size=n, p=_TZ_P / _TZ_P.sum())
    chrono = rng.normal(0, 1.2, n)
    sleep_start = (23.5 + chrono) % 24
    sleep_len = rng.uniform(6, 8.5, n)
    circ = np.isin(kind, [HUMAN, SEEDER, NEWS_R, NEWS_L, CYBORG])
    delay_med = _ln(rng, 1800, .9, n)
    delay_med = _by_kind(rng, kind, delay_med, {
        SEEDER: lambda m: _ln(rng, 600, .7, m), NEWS_R: lambda m: _ln(rng, 3600, .8, m),
        NEWS_L: lambda m: _ln(rng, 3600, .8, m), CYBORG: lambda m: _ln(rng, 1200, .8, m),
        SPAM: lambda m: _ln(rng, 120, .5, m), AMP: lambda m: _ln(rng, 600, .8, m),
        FAKE: lambda m: _ln(rng, 5000, 1., m),
    })
    delay_med[very_active] *= 0.4
    delay_sig = np.where(kind == AMP, 1.0, np.where(kind == HUMAN, 1.6, 1.4))
    # engagement propensity and misinformation affinity (behaviour: no camouflage)
    w = _ln(rng, 1.0, 1.0, n)
    w = _by_kind(rng, kind, w, {
        SEEDER: lambda m: _ln(rng, 3, .6, m), NEWS_R: lambda m: _ln(rng, .05, .5, m),
        NEWS_L: lambda m: _ln(rng, .3, .5, m), CYBORG: lambda m: _ln(rng, 2.5, .8, m),
        SPAM: lambda m: _ln(rng, .8, .6, m), AMP: lambda m: _ln(rng, .15, .6, m),
        FAKE: lambda m: _ln(rng, .05, .8, m),
    })
    w[botlike] *= 0.25
    w[very_active] *= 3
    mis = np.where(comm == 0, _ln(rng, 1.6, .5, n), _ln(rng, .6, .6, n))
    mis = _by_kind(rng, kind, mis, {
        SEEDER: lambda m: _ln(rng, 3, .3, m), NEWS_R: lambda m: np.full(m, .05),
        NEWS_L: lambda m: np.full(m, 3.), SPAM: lambda m: np.ones(m), AMP: lambda m: np.full(m, 2.),
        FAKE: lambda m: np.ones(m),
    })
    # spam schedule (period from the posting rate), cyborg automation
    period = DAY / np.maximum(rate, 0.05)
    phase = rng.uniform(0, 1, n) * period
    jitter = period * (0.01 + 0.15 * d)

    return SimpleNamespace(
        n=n, kind=kind, is_bot=is_bot, soph=soph, botlike=botlike, very_active=very_active, comm=comm,
        group=group, n_groups=n_groups, age=age, kout=kout, fit=fit, rate=rate, like=like,
        list_rate=list_rate, flags=flags, style=style, desc_style=desc_style, tz=tz,
        sleep_start=sleep_start, sleep_len=sleep_len, chrono=chrono, circ=circ, delay_med=delay_med,
        delay_sig=delay_sig, w=w, mis=mis, period=period, phase=phase, jitter=jitter,
        auto_share=0.6 - 0.3 * d,
    )


# ----------------------------------------------------------------------------------------------
# domains
# ----------------------------------------------------------------------------------------------
def _domains(cfg: SimulationConfig, L: SimpleNamespace) -> SimpleNamespace:
    rng = _rng(cfg, "domains")
    rel_owner = np.flatnonzero(L.kind == NEWS_R)
    low_owner = np.flatnonzero(L.kind == NEWS_L)

    def names(prefix, noun, tld, k):
        combos = len(prefix) * len(noun) * len(tld)
        pick = rng.choice(combos, size=k, replace=False)
        i, rest = np.divmod(pick, len(noun) * len(tld))
        j, t = np.divmod(rest, len(tld))
        dom = [f"{prefix[a]}{noun[b]}{tld[c]}" for a, b, c in zip(i, j, t)]
        title = [f"{prefix[a].capitalize()} {noun[b].capitalize()}" for a, b in zip(i, j)]
        return dom, title

    rd, rt = names(_REL_PREFIX, _REL_NOUN, _REL_TLD, rel_owner.size)
    ld, lt = names(_LOW_PREFIX, _LOW_NOUN, _LOW_TLD, low_owner.size)
    cred = np.concatenate([rng.beta(7, 2, rel_owner.size), rng.beta(2, 6, low_owner.size)])
    owner = np.concatenate([rel_owner, low_owner])
    low = np.concatenate([np.zeros(rel_owner.size, bool), np.ones(low_owner.size, bool)])
    acct_domain = np.full(L.n, -1, dtype=np.int64)
    acct_domain[owner] = np.arange(owner.size)
    return SimpleNamespace(
        name=np.array(rd + ld, dtype=object), title=np.array(rt + lt, dtype=object),
        credibility=np.round(cred, 3), low=low, owner=owner, acct_domain=acct_domain,
        popularity=np.sqrt(L.fit[owner]),
    )


# ----------------------------------------------------------------------------------------------
# follower graph
# ----------------------------------------------------------------------------------------------
def _groups_clients(cfg: SimulationConfig, L: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    """(group, client) pairs: accounts each amplifier group follows and boosts."""
    rng = _rng(cfg, "clients")
    lowcred = np.flatnonzero(L.kind == NEWS_L)
    seeders = np.flatnonzero(L.kind == SEEDER)
    rel = np.flatnonzero(L.kind == NEWS_R)
    partisans = np.flatnonzero((L.kind == HUMAN) & (L.comm == 0))
    gs, cs = [], []
    for g in range(L.n_groups):
        picks = [rng.choice(lowcred, 1)] if (lowcred.size and rng.random() < 0.35) else []
        if seeders.size:
            picks.append(rng.choice(seeders, min(seeders.size, int(rng.integers(2, 9))), replace=False))
        if rel.size and rng.random() < 0.7:
            picks.append(rng.choice(rel, 1))
        if partisans.size:
            picks.append(rng.choice(partisans, min(partisans.size, int(rng.integers(0, 4))), replace=False))
        cl = np.unique(np.concatenate(picks)) if picks else np.zeros(0, np.int64)
        gs.append(np.full(cl.size, g))
        cs.append(cl)
    if not gs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(gs).astype(np.int64), np.concatenate(cs).astype(np.int64)


def _follows(cfg: SimulationConfig, L: SimpleNamespace, gc: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    rng = _rng(cfg, "follows")
    n = L.n
    src = np.repeat(np.arange(n, dtype=np.int64), L.kout)
    E = src.size
    homo = np.select([L.kind == FAKE, L.kind == SPAM, L.kind == AMP, L.comm == 0],
                     [0.0, 0.1, 0.8, 0.75], 0.6)
    same = rng.random(E) < homo[src]
    mass = np.bincount(L.comm, weights=L.fit, minlength=N_COMMUNITIES)
    tc = np.where(same, L.comm[src], rng.choice(N_COMMUNITIES, size=E, p=mass / mass.sum()))
    dst = np.empty(E, dtype=np.int64)
    for k in range(N_COMMUNITIES):
        members = np.flatnonzero(L.comm == k)
        sel = np.flatnonzero(tc == k)
        if sel.size == 0:
            continue
        if members.size == 0:  # pragma: no cover - tiny samples only
            dst[sel] = rng.integers(0, n, sel.size)
            continue
        cum = np.cumsum(L.fit[members])
        pos = np.searchsorted(cum, rng.random(sel.size) * cum[-1], side="right")
        dst[sel] = members[np.minimum(pos, members.size - 1)]
    # fake followers: half of their edges go to "customers" who bought followers
    cand = np.flatnonzero(np.isin(L.kind, [HUMAN, CYBORG, SEEDER, NEWS_L, AMP]))
    fk_edges = np.flatnonzero((L.kind[src] == FAKE) & (rng.random(E) < 0.5))
    if fk_edges.size and cand.size:
        n_cust = max(5, int(0.02 * n))
        pc_ = np.sqrt(L.fit[cand])
        cust = rng.choice(cand, size=min(n_cust, cand.size), replace=False, p=pc_ / pc_.sum())
        cw = rng.gamma(1.0, 1.0, cust.size)
        dst[fk_edges] = cust[np.minimum(np.searchsorted(np.cumsum(cw), rng.random(fk_edges.size) * cw.sum(),
                                                        side="right"), cust.size - 1)]
    parts_s, parts_d = [src], [dst]
    # amplifier groups: follow each other (dense) and follow all their clients
    g_of = L.group
    amp = np.flatnonzero(g_of >= 0)
    if amp.size:
        order = amp[np.argsort(g_of[amp], kind="stable")]
        gsizes = np.bincount(g_of[order], minlength=L.n_groups)
        starts = np.concatenate([[0], np.cumsum(gsizes)[:-1]])
        a_s, a_d = [], []
        for g in range(L.n_groups):
            mem = order[starts[g]:starts[g] + gsizes[g]]
            ii, jj = np.meshgrid(mem, mem, indexing="ij")
            keep = (ii != jj) & (rng.random(ii.shape) < 0.6)
            a_s.append(ii[keep]); a_d.append(jj[keep])
        gg, cl = gc
        # member x client of the same group
        for g in range(L.n_groups):
            mem = order[starts[g]:starts[g] + gsizes[g]]
            clients = cl[gg == g]
            a_s.append(np.repeat(mem, clients.size)); a_d.append(np.tile(clients, mem.size))
        parts_s += a_s
        parts_d += a_d
    s = np.concatenate(parts_s)
    t = np.concatenate(parts_d)
    ok = s != t
    key = np.unique(s[ok] * n + t[ok])
    return key // n, key % n


# ----------------------------------------------------------------------------------------------
# time helpers
# ----------------------------------------------------------------------------------------------
def _push_awake(t: np.ndarray, acct: np.ndarray, L: SimpleNamespace, rng: np.random.Generator) -> np.ndarray:
    """Move times that fall in the account's local sleep window to its wake-up time (+ a short lag)."""
    local_h = (t / 3600.0 + L.tz[acct]) % 24.0
    into = (local_h - L.sleep_start[acct]) % 24.0
    asleep = into < L.sleep_len[acct]
    lag = rng.exponential(2400.0, t.size)
    return t + np.where(asleep, (L.sleep_len[acct] - into) * 3600.0 + lag, 0.0)


def _next_slot(t: np.ndarray, acct: np.ndarray, L: SimpleNamespace, rng: np.random.Generator) -> np.ndarray:
    """Next slot of the account's fixed posting schedule at or after ``t`` (spam bots)."""
    P = L.period[acct]
    ph = L.phase[acct]
    slot = ph + np.ceil((t - ph) / P) * P
    jit = np.abs(rng.normal(0, 1, t.size)) * L.jitter[acct]
    return np.maximum(slot + jit, t + 1.0)


def _delays(child: np.ndarray, t_parent: np.ndarray, L: SimpleNamespace, rng: np.random.Generator) -> np.ndarray:
    """Absolute engagement times of ``child`` accounts exposed at ``t_parent``."""
    m = child.size
    z = rng.standard_normal(m)
    delay = np.maximum(L.delay_med[child] * np.exp(L.delay_sig[child] * z), 1.0)
    k = L.kind[child]
    auto = (k == CYBORG) & (rng.random(m) < L.auto_share)
    fast = np.maximum(45.0 * np.exp(0.8 * rng.standard_normal(m)), 1.0)
    delay = np.where(auto, fast, delay)
    t = t_parent + delay
    circ = L.circ[child] & ~auto
    t = np.where(circ, _push_awake(t, child, L, rng), t)
    sp = k == SPAM
    t = np.where(sp, _next_slot(t, child, L, rng), t)
    return t


# ----------------------------------------------------------------------------------------------
# cascades (stories, roots, titles)
# ----------------------------------------------------------------------------------------------
def _cascades(cfg: SimulationConfig, L: SimpleNamespace, D: SimpleNamespace) -> SimpleNamespace:
    rng = _rng(cfg, "cascades")
    d = float(cfg.difficulty)
    end = cfg.days * DAY
    C = max(1, int(round(cfg.cascades_per_day_ * cfg.days)))
    sizes = rng.integers(3, 11, size=C // 3 + 2)
    n_ev = int(np.searchsorted(np.cumsum(sizes), C) + 1)
    ev = np.repeat(np.arange(n_ev), sizes[:n_ev])[:C]
    n_ev = int(ev.max()) + 1
    ev_false = rng.random(n_ev) < cfg.misinfo_event_share
    ev_time = rng.uniform(0, max(end - 6 * 3600.0, end * 0.5), n_ev)
    ev_vir = _ln(rng, 1.0, 0.5, n_ev)
    is_false = ev_false[ev]
    t0 = ev_time[ev] + rng.exponential(8 * 3600.0, C)

    # root account kind by label: (human, cyborg, spam, seeder, news_r, news_l)
    cats = np.array([HUMAN, CYBORG, SPAM, SEEDER, NEWS_R, NEWS_L])
    p_false = np.array([.12, .06, .04, .35, .03, .40])
    p_true = np.array([.25, .06, 0., .03, .60, .06])
    pools, weights = {}, {}
    for k in cats:
        pool = np.flatnonzero(L.kind == k)
        if k == HUMAN:
            pool = pool[~L.botlike[pool]]
        pools[k] = pool
        if k in (NEWS_R, NEWS_L):
            weights[k] = np.sqrt(L.fit[pool])
        elif k == SPAM:
            weights[k] = np.ones(pool.size)
        else:
            weights[k] = L.rate[pool] + 0.05
    avail = np.array([pools[k].size > 0 for k in cats])
    root = np.empty(C, dtype=np.int64)
    for lab, p in ((True, p_false), (False, p_true)):
        sel = np.flatnonzero(is_false == lab)
        pp = p * avail
        pp = pp / pp.sum()
        kc = rng.choice(cats.size, size=sel.size, p=pp)
        for j, k in enumerate(cats):
            s = sel[kc == j]
            if s.size == 0:
                continue
            wgt = weights[k] * (L.mis[pools[k]] if (lab and k in (HUMAN, CYBORG)) else 1.0)
            cum = np.cumsum(wgt)
            root[s] = pools[k][np.minimum(np.searchsorted(cum, rng.random(s.size) * cum[-1], side="right"),
                                          pools[k].size - 1)]
    # root time: in the root's waking hours (automation/spam posts whenever)
    circ = L.circ[root]
    t0 = np.where(circ, _push_awake(t0, root, L, rng), t0)
    t0 = np.minimum(t0, end - 60.0 - rng.uniform(0, 3600, C))
    # domain
    dom = D.acct_domain[root].copy()
    nonnews = dom < 0
    want_low = np.where(is_false, rng.random(C) < 0.85, rng.random(C) < 0.10)
    for low in (True, False):
        cand = np.flatnonzero(D.low == low)
        sel = np.flatnonzero(nonnews & (want_low == low))
        if sel.size == 0:
            continue
        if cand.size == 0:
            cand = np.arange(D.low.size)
        cum = np.cumsum(D.popularity[cand])
        dom[sel] = cand[np.minimum(np.searchsorted(cum, rng.random(sel.size) * cum[-1], side="right"),
                                   cand.size - 1)]
    vir = ev_vir[ev] * _ln(rng, 1.0, 0.8, C) * np.where(is_false, 1.15, 1.0)
    tau = _ln(rng, 6 * 3600.0, 0.6, C)
    # titles: story subject shared by the event's cascades
    person = rng.integers(0, len(_PERSON), n_ev)[ev]
    topic = rng.integers(0, len(_TOPIC), n_ev)[ev]
    verb = rng.integers(0, len(_VERB), C)
    p_sens = np.where(is_false, 0.75 - 0.4 * d, 0.05 + 0.15 * d)
    sens = rng.random(C) < p_sens
    pre_i = rng.integers(0, len(_SENS_PRE), C)
    suf_i = rng.integers(0, len(_SENS_SUF), C)
    calm_i = rng.integers(0, len(_CALM_SUF), C)
    r_pre = rng.random(C)
    r_suf = rng.random(C)
    pre = np.where(sens & (r_pre < 0.6), np.array(_SENS_PRE, dtype=object)[pre_i], None)
    suf = np.where(sens & (r_suf < 0.6), np.array(_SENS_SUF, dtype=object)[suf_i],
                   np.where(~sens & (r_suf < 0.3), np.array(_CALM_SUF, dtype=object)[calm_i], None))
    title = pc.binary_join_element_wise(
        pa.array(pre, pa.string()), pa.array(np.array(_PERSON, dtype=object)[person], pa.string()),
        pa.array(np.array(_VERB, dtype=object)[verb], pa.string()),
        pa.array(np.array(_TOPIC, dtype=object)[topic], pa.string()), pa.array(suf, pa.string()),
        " ", null_handling="skip")
    slug = pc.replace_substring_regex(
        pc.utf8_lower(pc.binary_join_element_wise(
            pa.array(np.array(_PERSON, dtype=object)[person], pa.string()),
            pa.array(np.array(_TOPIC, dtype=object)[topic], pa.string()), " ")),
        pattern="[^a-z0-9]+", replacement="-")
    slug = pc.utf8_trim(slug, characters="-")
    return SimpleNamespace(C=C, n_ev=n_ev, ev=ev, is_false=is_false, root=root, t0=t0, dom=dom, vir=vir,
                           tau=tau, title=title, slug=slug, url_id=rng.integers(10**5, 10**7, C),
                           www=rng.random(C) < 0.3, ev_hex=rng.integers(0, 2**40, n_ev),
                           c_hex=rng.integers(0, 2**62, C))


# ----------------------------------------------------------------------------------------------
# spreading
# ----------------------------------------------------------------------------------------------
def _amplification(cfg, L, K, gc) -> SimpleNamespace:
    """Coordinated retweets of client posts by amplifier groups (all hang from the cascade root)."""
    rng = _rng(cfg, "amplify")
    d = float(cfg.difficulty)
    gg, cl = gc
    empty = SimpleNamespace(c=np.zeros(0, np.int64), a=np.zeros(0, np.int64), t=np.zeros(0),
                            kind=np.zeros(0, np.int8))
    if gg.size == 0:
        return empty
    order = np.argsort(cl, kind="stable")
    cl_s, gg_s = cl[order], gg[order]
    lo = np.searchsorted(cl_s, K.root, side="left")
    hi = np.searchsorted(cl_s, K.root, side="right")
    cnt = hi - lo
    c_idx = np.repeat(np.arange(K.C), cnt)
    off = np.arange(c_idx.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    g_idx = gg_s[np.repeat(lo, cnt) + off]
    rk = L.kind[K.root[c_idx]]
    p = np.where(np.isin(rk, [NEWS_L, SEEDER]), cfg.amplify_client_prob, cfg.amplify_mainstream_prob)
    act = rng.random(c_idx.size) < p
    c_idx, g_idx = c_idx[act], g_idx[act]
    if c_idx.size == 0:
        return empty
    trig = K.t0[c_idx] + _ln(rng, 45.0 * (1 + d), 0.7, c_idx.size)
    # members
    amp = np.flatnonzero(L.group >= 0)
    mem_order = amp[np.argsort(L.group[amp], kind="stable")]
    gsz = np.bincount(L.group[amp], minlength=L.n_groups)
    gstart = np.concatenate([[0], np.cumsum(gsz)[:-1]])
    n_m = gsz[g_idx]
    ev = np.repeat(np.arange(c_idx.size), n_m)
    off = np.arange(ev.size) - np.repeat(np.cumsum(n_m) - n_m, n_m)
    a = mem_order[gstart[g_idx][ev] + off]
    keep = rng.random(ev.size) < (0.85 - 0.3 * d)
    t = trig[ev] + rng.uniform(0, cfg.coordination_window_s_, ev.size)
    kind = np.where(rng.random(ev.size) < 0.93, RT, QUOTE).astype(np.int8)
    keep &= t < cfg.days * DAY
    return SimpleNamespace(c=c_idx[ev][keep], a=a[keep], t=t[keep], kind=kind[keep])


def _spread(cfg, L, K, follower, followee, AMPL) -> SimpleNamespace:
    rng = _rng(cfg, "spread")
    n = L.n
    end = cfg.days * DAY
    order = np.lexsort((follower, followee))
    fol_of = follower[order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(followee, minlength=n))])
    wT = L.w[fol_of]
    wF = wT * L.mis[fol_of]
    cum = {False: np.concatenate([[0.0], np.cumsum(wT)]), True: np.concatenate([[0.0], np.cumsum(wF)])}
    Wsum = {b: cum[b][ptr[1:]] - cum[b][ptr[:-1]] for b in (False, True)}
    cap = cfg.max_cascade_size_
    indeg = ptr[1:] - ptr[:-1]
    # hubs' in-sample audiences grow with the sample size; compensate so cascade sizes grow slowly with n
    rate = cfg.engagement_rate * (n / 20000.0) ** -0.2
    dilution = (1.0 + indeg / cfg.mean_sampled_friends) ** -_DILUTION
    # engagement kind probabilities by child kind: (retweet, reply) ; quote = rest
    p_rt = np.array([.78, .60, .50, .50, .78, .35, .95, .90])[L.kind]
    p_rep = np.array([.14, .20, .0, .0, .14, .60, .0, .10])[L.kind]

    out_c, out_a, out_pa, out_pe, out_t, out_k = [], [], [], [], [], []
    n_eng = 0
    visited = np.unique(np.arange(K.C, dtype=np.int64) * n + K.root)
    size = np.zeros(K.C, dtype=np.int64)
    f_c = np.arange(K.C, dtype=np.int64)
    f_a = K.root.astype(np.int64)
    f_t = K.t0.astype(float)
    f_e = np.full(K.C, -1, dtype=np.int64)
    f_x = np.ones(K.C)
    for gen in range(60):
        if f_c.size == 0:
            break
        fl = K.is_false[f_c]
        W = np.where(fl, Wsum[True][f_a], Wsum[False][f_a])
        # attention dilution: per-follower engagement falls with the poster's audience size
        lam = rate * K.vir[f_c] * W * f_x * dilution[f_a]
        m = rng.poisson(np.minimum(lam, 1e6))
        m = np.minimum(m, ptr[f_a + 1] - ptr[f_a])  # at most the number of followers
        par = np.repeat(np.arange(f_c.size), m)
        c = f_c[par]
        pa_ = f_a[par]
        u = rng.random(par.size)
        child = np.empty(par.size, dtype=np.int64)
        for b in (False, True):
            s = np.flatnonzero(K.is_false[c] == b)
            if s.size == 0:
                continue
            lo = cum[b][ptr[pa_[s]]]
            target = lo + u[s] * Wsum[b][pa_[s]]
            pos = np.searchsorted(cum[b], target, side="right") - 1
            pos = np.clip(pos, ptr[pa_[s]], ptr[pa_[s] + 1] - 1)
            child[s] = fol_of[pos]
        t = _delays(child, f_t[par], L, rng)
        decay = rng.random(par.size) < np.exp(-(t - K.t0[c]) / K.tau[c])
        keep = decay & (t < end) & (child != K.root[c])
        c, child, t, pa_, pe = c[keep], child[keep], t[keep], pa_[keep], f_e[par][keep]
        kind = rng.random(child.size)
        kind = np.where(kind < p_rt[child], RT, np.where(kind < p_rt[child] + p_rep[child], REPLY, QUOTE))
        if gen == 0 and AMPL.c.size:
            c = np.concatenate([c, AMPL.c])
            child = np.concatenate([child, AMPL.a])
            t = np.concatenate([t, AMPL.t])
            pa_ = np.concatenate([pa_, K.root[AMPL.c]])
            pe = np.concatenate([pe, np.full(AMPL.c.size, -1, dtype=np.int64)])
            kind = np.concatenate([kind, AMPL.kind])
        key = c * n + child
        o = np.lexsort((t, key))
        key, c, child, t, pa_, pe, kind = key[o], c[o], child[o], t[o], pa_[o], pe[o], kind[o]
        first = np.ones(key.size, dtype=bool)
        first[1:] = key[1:] != key[:-1]
        pos = np.minimum(np.searchsorted(visited, key), visited.size - 1)
        first &= visited[pos] != key
        key, c, child, t, pa_, pe, kind = key[first], c[first], child[first], t[first], pa_[first], pe[first], kind[first]
        # per-cascade cap (keep the earliest)
        o = np.lexsort((t, c))
        key, c, child, t, pa_, pe, kind = key[o], c[o], child[o], t[o], pa_[o], pe[o], kind[o]
        cnt = np.bincount(c, minlength=K.C)
        rank = np.arange(c.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        ok = rank < (cap - size[c])
        key, c, child, t, pa_, pe, kind = key[ok], c[ok], child[ok], t[ok], pa_[ok], pe[ok], kind[ok]
        if c.size == 0:
            break
        size += np.bincount(c, minlength=K.C)
        ks = np.sort(key)
        visited = np.insert(visited, np.searchsorted(visited, ks), ks)
        eid = n_eng + np.arange(c.size)
        n_eng += c.size
        out_c.append(c); out_a.append(child); out_pa.append(pa_); out_pe.append(pe); out_t.append(t)
        out_k.append(kind.astype(np.int8))
        f_c, f_a, f_t, f_e = c, child, t, eid
        f_x = np.where(kind == REPLY, 0.3, 1.0)

    def cat(x, dt):
        return np.concatenate(x).astype(dt) if x else np.zeros(0, dt)

    return SimpleNamespace(c=cat(out_c, np.int64), a=cat(out_a, np.int64), pa=cat(out_pa, np.int64),
                           pe=cat(out_pe, np.int64), t=cat(out_t, float), kind=cat(out_k, np.int8))


# ----------------------------------------------------------------------------------------------
# posts outside cascades
# ----------------------------------------------------------------------------------------------
def _chatter(cfg, L) -> SimpleNamespace:
    """Original posts outside cascades: sessions (humans, seeders, cyborgs), schedules (spam, cyborg
    automation), Poisson (amplifiers, fake followers). Returns account, time and a text family."""
    rng = _rng(cfg, "chatter")
    days = int(cfg.days)
    end = days * DAY
    kind = L.kind
    accts, times, fam = [], [], []
    # --- session posting (humans, seeders, cyborgs' manual part)
    sess_rate = np.where(np.isin(kind, [HUMAN, SEEDER]), L.rate,
                         np.where(kind == CYBORG, L.rate * (1 - L.auto_share), 0.0))
    mean_burst = 1.0 / 0.55
    n_sess = rng.poisson(sess_rate * days / mean_burst)
    users = np.flatnonzero(n_sess > 0)
    if users.size:
        # bursty days: per-user gamma weights over the days
        dw = rng.gamma(0.6, 1.0, (users.size, days)) + 1e-9
        cw = np.cumsum(dw, axis=1)
        cw = cw / cw[:, -1:]
        flat = (cw + np.arange(users.size)[:, None]).ravel()
        su = np.repeat(np.arange(users.size), n_sess[users])
        day = np.searchsorted(flat, su + rng.random(su.size) * (1 - 1e-12), side="right") - su * days
        day = np.clip(day, 0, days - 1)
        acct = users[su]
        hp = _HUMAN_HOURS / _HUMAN_HOURS.sum()
        hour = rng.choice(24, size=su.size, p=hp) + rng.random(su.size) + L.chrono[acct]
        t_sess = day * DAY + (hour - L.tz[acct]) * 3600.0
        t_sess = np.mod(t_sess, end)
        burst = rng.geometric(0.55, su.size)
        pa_ = np.repeat(np.arange(su.size), burst)
        off = np.arange(pa_.size) - np.repeat(np.cumsum(burst) - burst, burst)
        gap = _ln(rng, 150.0, 1.0, pa_.size)
        gap[off == 0] = 0.0
        # cumulative gap inside each session
        cg = np.cumsum(gap)
        cg -= np.repeat(cg[np.cumsum(burst) - burst], burst)
        t = t_sess[pa_] + cg
        ok = t < end
        accts.append(acct[pa_][ok]); times.append(t[ok])
        f = np.where(kind[acct[pa_][ok]] == SEEDER, 4, 0)
        fam.append(f.astype(np.int8))
    # --- scheduled posting (spam bots, cyborg automation)
    sched_rate = np.where(kind == SPAM, L.rate, np.where(kind == CYBORG, L.rate * L.auto_share, 0.0))
    sch = np.flatnonzero(sched_rate > 0)
    if sch.size:
        P = np.where(kind[sch] == SPAM, L.period[sch], DAY / np.maximum(sched_rate[sch], 0.05))
        nslots = np.floor((end - L.phase[sch] % P) / P).astype(np.int64) + 1
        a = np.repeat(sch, nslots)
        Pk = np.repeat(P, nslots)
        off = np.arange(a.size) - np.repeat(np.cumsum(nslots) - nslots, nslots)
        t = np.repeat(L.phase[sch] % P, nslots) + off * Pk + np.abs(rng.normal(0, 1, a.size)) * np.repeat(
            L.jitter[sch] * np.where(kind[sch] == SPAM, 1.0, 0.5), nslots)
        ok = (t < end) & (rng.random(a.size) < 0.9)
        accts.append(a[ok]); times.append(t[ok])
        fam.append(np.where(kind[a[ok]] == SPAM, 1, 0).astype(np.int8))
    # --- Poisson posting (amplifiers, fake followers)
    pois = np.flatnonzero(np.isin(kind, [AMP, FAKE]))
    if pois.size:
        k = rng.poisson(L.rate[pois] * days)
        a = np.repeat(pois, k)
        t = rng.uniform(0, end, a.size)
        accts.append(a); times.append(t)
        fam.append(np.where(kind[a] == AMP, 2, 3).astype(np.int8))
    a = np.concatenate(accts) if accts else np.zeros(0, np.int64)
    t = np.concatenate(times) if times else np.zeros(0)
    f = np.concatenate(fam) if fam else np.zeros(0, np.int8)
    return SimpleNamespace(a=a.astype(np.int64), t=t, fam=f)


# ----------------------------------------------------------------------------------------------
# text helpers (pyarrow, vectorised)
# ----------------------------------------------------------------------------------------------
def _pick(rng, words, m, p_null: float = 0.0) -> pa.Array:
    arr = pa.array(list(words), pa.string()).take(pa.array(rng.integers(0, len(words), m)))
    if p_null > 0:
        arr = pc.if_else(pa.array(rng.random(m) < p_null), pa.scalar(None, pa.string()), arr)
    return arr


def _join(*parts, sep=" ") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep, null_handling="skip")


def _const(s: str, m: int) -> pa.Array:
    return pa.array(np.full(m, s, dtype=object), pa.string())


def _where(mask: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), a, b)


def _str_int(x: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(x, dtype=np.int64)), pa.string())


def _to_pd_str(arr) -> pd.arrays.ArrowStringArray:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string() and arr.type != pa.string():
        arr = pc.cast(arr, pa.string())
    return pd.arrays.ArrowStringArray(arr)


def _to_ts(ms: np.ndarray) -> pd.DatetimeIndex:
    ns = (np.asarray(ms, dtype=np.int64) * 10**6).view("datetime64[ns]")
    return pd.DatetimeIndex(ns).tz_localize("UTC")


# ----------------------------------------------------------------------------------------------
# the platform
# ----------------------------------------------------------------------------------------------
def simulate_platform(config: SimulationConfig) -> dict[str, pd.DataFrame]:
    """Return tables accounts, posts, cascades, engagements, follows, domains (docs/data-model.md).

    Every table is sorted by its key (follows by ``follower_id, followee_id``); string columns use the
    nullable ``string`` dtype, counts ``Int64``, flags ``boolean``, times ``datetime64[ns, UTC]``.
    Extra ground-truth column: ``accounts.coord_group`` (amplifier group, ``<NA>`` otherwise).
    """
    cfg = config
    if not isinstance(cfg, SimulationConfig):
        raise TypeError("simulate_platform expects a SimulationConfig")
    n = int(cfg.n_accounts)
    start_ms = pd.Timestamp(cfg.start).tz_convert("UTC").value // 10**6
    end_s = cfg.days * DAY

    L = _latent(cfg)
    D = _domains(cfg, L)
    gc = _groups_clients(cfg, L)
    follower, followee = _follows(cfg, L, gc)
    K = _cascades(cfg, L, D)
    AMPL = _amplification(cfg, L, K, gc)
    G = _spread(cfg, L, K, follower, followee, AMPL)
    CH = _chatter(cfg, L)
    rng = _rng(cfg, "assemble")

    # ---------------------------------------------------------------- accounts: ids and texts
    collected_ms = start_ms + int(end_s * 1000) + (rng.uniform(0, 6 * 3600, n) * 1000).astype(np.int64)
    created_ms = start_ms - ((L.age + rng.random(n)) * DAY * 1000).astype(np.int64)
    created_ms = np.maximum(created_ms, PLATFORM_START_MS + 86400000)
    acct_id = np.empty(n, dtype=np.int64)
    old = created_ms < SNOWFLAKE_USERS_FROM
    o_idx = np.flatnonzero(old)
    if o_idx.size:
        frac = (created_ms[o_idx] - PLATFORM_START_MS) / (SNOWFLAKE_USERS_FROM - PLATFORM_START_MS)
        base = (12 + frac * 2.2e9 + rng.integers(0, 1000, o_idx.size)).astype(np.int64)
        oo = np.argsort(base, kind="stable")
        acct_id[o_idx[oo]] = base[oo] + np.arange(oo.size)  # strictly increasing -> unique
    s_idx = np.flatnonzero(~old)
    if s_idx.size:
        low_bits = rng.permutation(1 << 22)[: s_idx.size] if s_idx.size <= (1 << 22) else np.arange(s_idx.size)
        acct_id[s_idx] = ((created_ms[s_idx] - TWITTER_EPOCH_MS) << 22) + low_bits
    acct_id_str = _str_int(acct_id)

    tables_acc = _account_texts(cfg, L, D, rng)

    # ---------------------------------------------------------------- posts
    n_ch, C, n_e = CH.a.size, K.C, G.c.size
    p_acct = np.concatenate([CH.a, K.root, G.a])
    p_t = np.concatenate([CH.t, K.t0, G.t])
    p_ms = start_ms + np.round(p_t * 1000).astype(np.int64)
    # engagement times strictly after their parent after rounding
    p_kind = np.concatenate([np.full(n_ch + C, -1, np.int8), G.kind])  # -1 original
    root_post = n_ch + np.arange(C)
    eng_post = n_ch + C + np.arange(n_e)
    parent_post = np.full(p_acct.size, -1, dtype=np.int64)
    parent_post[eng_post] = np.where(G.pe >= 0, n_ch + C + G.pe, root_post[G.c])
    p_casc = np.concatenate([np.full(n_ch, -1, np.int64), np.arange(C), G.c])
    order = np.lexsort((np.arange(p_acct.size), p_ms))
    rank = np.empty(p_acct.size, dtype=np.int64)
    rank[order] = np.arange(p_acct.size)
    post_num = ((p_ms - TWITTER_EPOCH_MS) << 22) + (rank & ((1 << 22) - 1))
    # unique: posts of one millisecond have consecutive ranks, so their low 22 bits differ
    post_str = _str_int(post_num)

    # texts and urls
    sn = tables_acc["screen_name"]
    dom_name = pa.array(list(D.name), pa.string())
    casc_dom = dom_name.take(pa.array(K.dom))
    yyyy_mm = pd.to_datetime((start_ms + K.t0 * 1000).astype(np.int64) * 10**6, utc=True).strftime("%Y/%m")
    casc_url = _join(
        pc.binary_join_element_wise(_where(K.www, _const("https://www.", C), _const("https://", C)), casc_dom, ""),
        pa.array(np.asarray(yyyy_mm, dtype=object), pa.string()),
        pc.binary_join_element_wise(K.slug, _str_int(K.url_id), "-"), sep="/")
    is_news_root = D.acct_domain[K.root] >= 0
    root_text = _join(
        _where(is_news_root, pa.nulls(C, pa.string()), _pick(rng, _ROOT_COMMENT, C)),
        K.title, casc_url)

    ch_text, ch_url, ch_dom = _chatter_texts(cfg, CH, D, rng)

    # engagement posts
    parent_acct_sn = sn.take(pa.array(G.pa))
    root_sn = sn.take(pa.array(K.root[G.c]))
    i_rt, i_rep, i_q = (np.flatnonzero(G.kind == k) for k in (RT, REPLY, QUOTE))
    rt_text = pc.utf8_slice_codeunits(
        _join(_const("RT", i_rt.size),
              pc.binary_join_element_wise(_const("@", i_rt.size), root_sn.take(pa.array(i_rt)),
                                          _const(":", i_rt.size), ""),
              root_text.take(pa.array(G.c[i_rt]))), 0, 280)
    rep_text = _join(pc.binary_join_element_wise(_const("@", i_rep.size), parent_acct_sn.take(pa.array(i_rep)), ""),
                     _pick(rng, _REPLY, i_rep.size))
    g_url = casc_url.take(pa.array(G.c))
    q_text = _join(_pick(rng, _QUOTE, i_q.size), g_url.take(pa.array(i_q)))
    e_text = _scatter(n_e, [(i_rt, rt_text), (i_rep, rep_text), (i_q, q_text)])
    nrep = np.flatnonzero(G.kind != REPLY)
    e_url = _scatter(n_e, [(nrep, g_url.take(pa.array(nrep)))], fill_null=True)
    e_dom = _scatter(n_e, [(nrep, casc_dom.take(pa.array(G.c[nrep])))], fill_null=True)
    text = pa.concat_arrays([ch_text.cast(pa.string()), root_text.cast(pa.string()), e_text.cast(pa.string())])
    url = pa.concat_arrays([ch_url.cast(pa.string()), casc_url.cast(pa.string()), e_url.cast(pa.string())])
    domain = pa.concat_arrays([ch_dom.cast(pa.string()), casc_dom.cast(pa.string()), e_dom.cast(pa.string())])
    kind_names = np.array(["original", "retweet", "reply", "quote"], dtype=object)
    kind_str = pa.array(kind_names, pa.string()).take(pa.array(p_kind.astype(np.int64) + 1))

    # cascade ids
    c_hex = np.char.zfill(np.char.mod("%x", K.c_hex), 16)
    casc_id = pa.array(np.char.add("c", c_hex).astype(object), pa.string())
    ev_hex = np.char.zfill(np.char.mod("%x", K.ev_hex), 10)
    ev_ids = np.char.add("e", ev_hex)
    if len(set(casc_id.to_pylist())) != C:  # astronomically unlikely; keep ids unique anyway
        casc_id = pa.array([f"c{i:016x}" for i in range(C)], pa.string())
    if len(set(ev_ids.tolist())) != K.n_ev:
        ev_ids = np.array([f"e{i:010x}" for i in range(K.n_ev)])

    # post order = time order = id order (snowflake ids of equal length) -> sort by string to be safe
    p_order = pc.sort_indices(post_str).to_numpy()
    has_parent = parent_post >= 0
    par_str = pc.if_else(pa.array(has_parent), post_str.take(pa.array(np.maximum(parent_post, 0))),
                         pa.scalar(None, pa.string()))
    has_c = p_casc >= 0
    pc_str = pc.if_else(pa.array(has_c), casc_id.take(pa.array(np.maximum(p_casc, 0))),
                        pa.scalar(None, pa.string()))
    take = pa.array(p_order)
    posts = pd.DataFrame({
        "post_id": _to_pd_str(post_str.take(take)),
        "account_id": _to_pd_str(acct_id_str.take(pa.array(p_acct[p_order]))),
        "created_at": _to_ts(p_ms[p_order]),
        "kind": _to_pd_str(kind_str.take(take)),
        "parent_post_id": _to_pd_str(par_str.take(take)),
        "cascade_id": _to_pd_str(pc_str.take(take)),
        "text": _to_pd_str(text.take(take)),
        "url": _to_pd_str(url.take(take)),
        "domain": _to_pd_str(domain.take(take)),
    })
    del text, url, domain, par_str, pc_str, kind_str, take, ch_text, ch_url, ch_dom, e_text, e_url, e_dom

    # ---------------------------------------------------------------- engagements
    e_ms = p_ms[eng_post]
    root_ms = p_ms[root_post][G.c]
    e_order = pc.sort_indices(post_str.take(pa.array(eng_post))).to_numpy()
    eng_id = post_str.take(pa.array(eng_post))
    parent_eng = pc.if_else(pa.array(G.pe >= 0), eng_id.take(pa.array(np.maximum(G.pe, 0))),
                            pa.scalar(None, pa.string()))
    et = pa.array(e_order)
    engagements = pd.DataFrame({
        "engagement_id": _to_pd_str(eng_id.take(et)),
        "cascade_id": _to_pd_str(casc_id.take(pa.array(G.c[e_order]))),
        "parent_engagement_id": _to_pd_str(parent_eng.take(et)),
        "parent_account_id": _to_pd_str(acct_id_str.take(pa.array(G.pa[e_order]))),
        "parent_post_id": _to_pd_str(post_str.take(pa.array(parent_post[eng_post][e_order]))),
        "child_account_id": _to_pd_str(acct_id_str.take(pa.array(G.a[e_order]))),
        "child_post_id": _to_pd_str(eng_id.take(et)),
        "kind": _to_pd_str(pa.array(ENG_KIND_NAMES, pa.string()).take(pa.array(G.kind[e_order].astype(np.int64)))),
        "time": _to_ts(e_ms[e_order]),
        "delay_s": ((e_ms - root_ms)[e_order] / 1000.0).astype(float),
    })

    # ---------------------------------------------------------------- cascades
    c_order = pc.sort_indices(casc_id).to_numpy()
    label = np.where(K.is_false, "false", "true").astype(object)
    cascades = pd.DataFrame({
        "cascade_id": _to_pd_str(casc_id.take(pa.array(c_order))),
        "root_post_id": _to_pd_str(post_str.take(pa.array(root_post[c_order]))),
        "root_account_id": _to_pd_str(acct_id_str.take(pa.array(K.root[c_order]))),
        "created_at": _to_ts(p_ms[root_post][c_order]),
        "url": _to_pd_str(casc_url.take(pa.array(c_order))),
        "domain": _to_pd_str(casc_dom.take(pa.array(c_order))),
        "title": _to_pd_str(K.title.take(pa.array(c_order))),
        "label": pd.array(label[c_order], dtype="string"),
        "is_misinformation": pd.array(K.is_false[c_order], dtype="boolean"),
        "label_source": pd.array(np.full(C, "synthetic", dtype=object), dtype="string"),
        "event_id": pd.array(ev_ids[K.ev][c_order].astype(object), dtype="string"),
    })

    # ---------------------------------------------------------------- follows
    a_order = pc.sort_indices(acct_id_str).to_numpy()
    a_rank = np.empty(n, dtype=np.int64)
    a_rank[a_order] = np.arange(n)
    f_order = np.lexsort((a_rank[followee], a_rank[follower]))
    follows = pd.DataFrame({
        "follower_id": _to_pd_str(acct_id_str.take(pa.array(follower[f_order]))),
        "followee_id": _to_pd_str(acct_id_str.take(pa.array(followee[f_order]))),
    })

    # ---------------------------------------------------------------- accounts: counts
    in_deg = np.bincount(followee, minlength=n)
    out_deg = np.bincount(follower, minlength=n)
    M = cfg.offplatform_multiplier
    followers_count = in_deg + np.round((in_deg + 0.3) * M * _ln(rng, 1.0, 0.35, n)).astype(np.int64)
    friends_count = out_deg + np.round((out_deg + 0.3) * M * _ln(rng, 1.0, 0.35, n)).astype(np.int64)
    n_posts = np.bincount(p_acct, minlength=n)
    eng_rate = 0.3 * L.w * np.where(L.kind == AMP, 20.0, 1.0)
    prior = np.round((L.rate + eng_rate) * L.age * _ln(rng, 1.0, 0.5, n)).astype(np.int64)
    statuses_count = n_posts + prior
    age_coll = (collected_ms - created_ms) / (DAY * 1000)
    favourites_count = np.round(L.like * age_coll * _ln(rng, 1.0, 0.5, n)).astype(np.int64)
    listed_count = rng.poisson(followers_count * L.list_rate)
    kind_names_a = np.array(ACCOUNT_KINDS, dtype=object)
    lab = np.where(L.is_bot, "bot", "human").astype(object)
    coord = np.where(L.group >= 0, np.char.add("g", np.char.zfill(L.group.astype(str), 3)), None).astype(object)

    def acc(x):
        return x[a_order]

    accounts = pd.DataFrame({
        "account_id": _to_pd_str(acct_id_str.take(pa.array(a_order))),
        "screen_name": _to_pd_str(tables_acc["screen_name"].take(pa.array(a_order))),
        "name": _to_pd_str(tables_acc["name"].take(pa.array(a_order))),
        "description": _to_pd_str(tables_acc["description"].take(pa.array(a_order))),
        "location": _to_pd_str(tables_acc["location"].take(pa.array(a_order))),
        "url": _to_pd_str(tables_acc["url"].take(pa.array(a_order))),
        "lang": _to_pd_str(tables_acc["lang"].take(pa.array(a_order))),
        "created_at": _to_ts(acc(created_ms)),
        "collected_at": _to_ts(acc(collected_ms)),
        "followers_count": pd.array(acc(followers_count), dtype="Int64"),
        "friends_count": pd.array(acc(friends_count), dtype="Int64"),
        "statuses_count": pd.array(acc(statuses_count), dtype="Int64"),
        "favourites_count": pd.array(acc(favourites_count), dtype="Int64"),
        "listed_count": pd.array(acc(listed_count), dtype="Int64"),
        "verified": pd.array(acc(L.flags["verified"]), dtype="boolean"),
        "default_profile": pd.array(acc(L.flags["default_profile"]), dtype="boolean"),
        "default_profile_image": pd.array(acc(L.flags["default_profile_image"]), dtype="boolean"),
        "protected": pd.array(acc(L.flags["protected"]), dtype="boolean"),
        "label": pd.array(acc(lab), dtype="string"),
        "label_source": pd.array(np.full(n, "synthetic", dtype=object), dtype="string"),
        "account_kind": pd.array(acc(kind_names_a[L.kind]), dtype="string"),
        "coord_group": pd.array(acc(coord), dtype="string"),
    })

    # ---------------------------------------------------------------- domains
    d_order = np.argsort(D.name.astype(str), kind="stable")
    domains = pd.DataFrame({
        "domain": pd.array(D.name[d_order], dtype="string"),
        "credibility": D.credibility[d_order].astype(float),
        "low_credibility": pd.array(D.low[d_order], dtype="boolean"),
        "rating_source": pd.array(np.full(d_order.size, "synthetic", dtype=object), dtype="string"),
    })
    return {"accounts": accounts, "posts": posts, "cascades": cascades, "engagements": engagements,
            "follows": follows, "domains": domains}


def _account_texts(cfg, L, D, rng) -> dict[str, pa.Array]:
    n = L.n
    kind = L.kind
    st = L.style
    first = _pick(rng, _FIRST, n)
    last = _pick(rng, _LAST, n)
    # display names
    human_name = _where(rng.random(n) < 0.15, first, _join(first, last))
    human_name = _where(rng.random(n) < 0.04, _pick(rng, _ODD_NAMES, n), human_name)
    spam_name = _join(_pick(rng, _SPAM_BRAND, n), _pick(rng, _SPAM_BRAND_TAIL, n, 0.3))
    part_name = _join(_where(rng.random(n) < 0.5, first, _pick(rng, _PARTISAN_NAME, n)),
                      _pick(rng, _PARTISAN_TAIL, n, 0.2))
    name = _where(st == 1, spam_name, _where(st == 2, part_name, human_name))
    news = D.acct_domain >= 0
    if news.any():
        news_title = pa.array(np.where(news, D.title[np.maximum(D.acct_domain, 0)], None), pa.string())
        name = _where(news, news_title, name)
    # screen names
    digits2 = _str_int(rng.integers(10, 100, n))
    digits8 = _str_int(rng.integers(10**7, 10**8, n))
    sep = _pick(rng, ["", "_", ".", ""], n)
    fl = pc.utf8_lower(first)
    ll = pc.utf8_lower(last)
    hsn = pc.binary_join_element_wise(fl, sep, ll, "")
    hsn = _where(rng.random(n) < 0.4, pc.binary_join_element_wise(hsn, digits2, ""), hsn)
    hsn = _where(rng.random(n) < 0.2, pc.binary_join_element_wise(fl, digits2, ""), hsn)
    brand = pc.utf8_lower(_pick(rng, ["deals", "promo", "crypto", "giveaway", "gifts", "spin", "coupons", "win"], n))
    ssn = pc.binary_join_element_wise(brand, _pick(rng, ["4u", "_hq", "daily", "_247", "club", "zone"], n),
                                      _str_int(rng.integers(0, 1000, n)), "")
    psn = pc.binary_join_element_wise(pc.utf8_lower(_pick(rng, ["patriot", "truth", "freedom", "awake", "liberty",
                                                                "eagle", "redpill"], n)),
                                      pc.utf8_lower(first), _str_int(rng.integers(1, 2000, n)), "")
    dsn = pc.binary_join_element_wise(fl, digits8, "")
    screen = _where(st == 1, ssn, _where(st == 2, psn, _where(st == 3, dsn, hsn)))
    if news.any():
        nsn = pa.array(np.where(news, np.char.replace(np.char.replace(D.name[np.maximum(D.acct_domain, 0)].astype(str),
                                                                          ".", ""), "-", ""), None).astype(object),
                       pa.string())
        screen = _where(news, nsn, screen)
    # ascii-ish handles: strip non [a-z0-9_], cap 15 chars, make unique
    screen = pc.replace_substring_regex(pc.utf8_normalize(screen, "NFKD"), pattern="[^A-Za-z0-9_]", replacement="")
    screen = pc.utf8_slice_codeunits(screen, 0, 15)
    s_np = np.asarray(screen.to_pylist(), dtype=object)
    s_np = np.where(s_np == "", "user", s_np)
    low = pd.Series(s_np).str.lower()
    dup = low.duplicated(keep="first").to_numpy()
    if dup.any():
        suffix = np.char.mod("%d", np.arange(n) % 100000)
        s_np[dup] = np.char.add(np.char.add(np.array([s[:9] for s in s_np[dup]], dtype=str), "_"), suffix[dup])
        low = pd.Series(s_np).str.lower()
        dup = low.duplicated(keep="first").to_numpy()
        s_np[dup] = np.char.add("u", np.char.mod("%d", np.flatnonzero(dup)))
    screen = pa.array(s_np, pa.string())
    # descriptions
    ds = L.desc_style
    hdesc = _join(_pick(rng, _DESC_ROLE, n), _pick(rng, _DESC_MID, n, 0.3), _pick(rng, _DESC_TAIL, n, 0.5))
    sdesc = _join(_pick(rng, _DESC_SPAM, n), _pick(rng, _DESC_SPAM_TAIL, n, 0.2))
    pdesc = _join(_pick(rng, _DESC_PARTISAN, n), _pick(rng, _DESC_PARTISAN_TAIL, n, 0.2),
                  _pick(rng, _DESC_PARTISAN_TAIL, n, 0.6))
    fdesc = _pick(rng, _DESC_FAKE, n)
    desc = _where(ds == 1, sdesc, _where(ds == 2, pdesc, _where(ds == 3, fdesc, hdesc)))
    # hyperpartisan humans and seeders add a partisan tail now and then
    part_tail = _join(desc, _pick(rng, _DESC_PARTISAN_TAIL, n))
    desc = _where(((L.comm == 0) & np.isin(kind, [HUMAN, SEEDER]) & (rng.random(n) < 0.3)), part_tail, desc)
    if news.any():
        ndesc = pa.array(np.where(news, np.char.add(np.char.add("Official account of ", D.title[np.maximum(
            D.acct_domain, 0)].astype(str)), ". News, analysis & opinion."), None).astype(object), pa.string())
        desc = _where(news, ndesc, desc)
    desc = _where(L.flags["has_description"], desc, pa.nulls(n, pa.string()))
    loc = _where(L.flags["has_location"], _pick(rng, _LOCATIONS, n), pa.nulls(n, pa.string()))
    # profile url
    purl_personal = pc.binary_join_element_wise(_const("https://", n), pc.utf8_lower(screen),
                                                _pick(rng, [".blog", ".me", ".com", ".net"], n), "")
    purl_spam = pc.binary_join_element_wise(_const("https://", n), _pick(rng, _SPAM_DOMAINS, n), _const("/?ref=", n),
                                            _str_int(rng.integers(1000, 9999, n)), "")
    purl = _where(st == 1, purl_spam, purl_personal)
    if news.any():
        nurl = pa.array(np.where(news, np.char.add("https://www.", D.name[np.maximum(D.acct_domain, 0)].astype(str)),
                                 None).astype(object), pa.string())
        purl = _where(news, nurl, purl)
    purl = _where(L.flags["has_url"], purl, pa.nulls(n, pa.string()))
    # language from the time zone (mostly), bots mostly English
    lang = np.empty(n, dtype=object)
    for tzv, langs in _TZ_LANGS.items():
        sel = np.flatnonzero(L.tz == tzv)
        lang[sel] = np.asarray(langs, dtype=object)[rng.integers(0, len(langs), sel.size)]
    lang[rng.random(n) < 0.3] = "en"
    lang[(L.kind >= SPAM) & (rng.random(n) < 0.7)] = "en"
    lang[rng.random(n) < 0.01] = None
    return {"screen_name": screen, "name": name, "description": desc, "location": loc, "url": purl,
            "lang": pa.array(lang, pa.string())}


def _scatter(m: int, parts: list[tuple[np.ndarray, pa.Array]], fill_null: bool = False) -> pa.Array:
    """Combine arrays built for disjoint row subsets into one array of length ``m`` (rows not covered
    are null when ``fill_null``)."""
    parts = [(i, a) for i, a in parts if i.size]
    if fill_null:
        covered = np.zeros(m, dtype=bool)
        for i, _ in parts:
            covered[i] = True
        rest = np.flatnonzero(~covered)
        parts.append((rest, pa.nulls(rest.size, pa.string())))
    if not parts:
        return pa.nulls(m, pa.string())
    idx = np.concatenate([i for i, _ in parts])
    arr = pa.concat_arrays([a.cast(pa.string()) for _, a in parts])
    inv = np.empty(m, dtype=np.int64)
    inv[idx] = np.arange(idx.size)
    return arr.take(pa.array(inv))


def _chatter_texts(cfg, CH, D, rng) -> tuple[pa.Array, pa.Array, pa.Array]:
    m = CH.a.size
    fam = CH.fam
    # URLs: spam posts nearly always (mostly spam domains, some news links), seeders often, humans rarely
    r = rng.random(m)
    has_url = np.where(fam == 1, r < 0.9, np.where(fam == 4, r < 0.2, r < 0.04))
    builders = {
        0: lambda k: _join(_pick(rng, _CHAT_OPEN, k, 0.3), _pick(rng, _CHAT_TOPIC, k), _pick(rng, _CHAT_TAIL, k, 0.3),
                           _pick(rng, _CHAT_TAIL, k, 0.8)),
        1: lambda k: _join(_pick(rng, _SPAM_OPEN, k), _pick(rng, _SPAM_PROD, k), _pick(rng, _SPAM_CTA, k)),
        2: lambda k: _join(_pick(rng, _AMP_SLOGAN, k), _pick(rng, _AMP_TAGS, k), _pick(rng, _AMP_TAGS, k, 0.5)),
        3: lambda k: _pick(rng, _FAKE_TEXT, k),
        4: lambda k: _join(_pick(rng, _AMP_SLOGAN, k, 0.5), _pick(rng, _CHAT_TOPIC, k), _pick(rng, _AMP_TAGS, k, 0.4)),
    }
    parts = []
    for f, fn in builders.items():
        idx = np.flatnonzero((fam == f) & ~has_url)
        parts.append((idx, fn(idx.size)))
    u = np.flatnonzero(has_url)
    k = u.size
    spam_u = fam[u] == 1
    news_link = rng.random(k) < np.where(spam_u, 0.25, 0.8)
    pop = D.popularity / D.popularity.sum()
    news_dom = pa.array(list(D.name), pa.string()).take(pa.array(rng.choice(len(D.name), size=k, p=pop)))
    dom_u = _where(news_link, news_dom, _pick(rng, _SPAM_DOMAINS, k))
    path = pc.binary_join_element_wise(_pick(rng, ["p", "go", "deal", "story", "a"], k),
                                       _str_int(rng.integers(10**5, 10**8, k)), "/")
    url_u = pc.binary_join_element_wise(_const("https://", k), dom_u, _const("/", k), path, "")
    su = np.flatnonzero(spam_u)
    ou = np.flatnonzero(~spam_u)
    spam_text = _join(builders[1](su.size), _pick(rng, _SPAM_TAGS, su.size, 0.6), url_u.take(pa.array(su)))
    other_text = _join(_pick(rng, _CHAT_OPEN, ou.size, 0.3), _pick(rng, _CHAT_TOPIC, ou.size), url_u.take(pa.array(ou)))
    parts += [(u[su], spam_text), (u[ou], other_text)]
    text = _scatter(m, parts)
    url = _scatter(m, [(u, url_u)], fill_null=True)
    dom = _scatter(m, [(u, dom_u)], fill_null=True)
    return text, url, dom


# ----------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------
def _is_sorted(df: pd.DataFrame, keys: list[str]) -> bool:
    if len(df) < 2:
        return True
    cols = [pa.array(df[k].to_numpy(dtype=object), pa.string()) if str(df[k].dtype) != "string"
            else pa.array(df[k].array) for k in keys]
    ok = None
    eq_prev = None
    for col in cols:
        a, b = col.slice(0, len(col) - 1), col.slice(1)
        gt = pc.fill_null(pc.greater(b, a), False)
        eq = pc.fill_null(pc.equal(b, a), False)
        if ok is None:
            ok, eq_prev = gt, eq
        else:
            ok = pc.or_(ok, pc.and_(eq_prev, gt))
            eq_prev = pc.and_(eq_prev, eq)
    # ties on the full key count as sorted
    ok = pc.or_(ok, eq_prev)
    return bool(pc.all(ok).as_py())


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, Path]:
    """Write each table to ``out_dir/{name}.parquet`` (deterministic row order, sorted by key).

    Tables are sorted by their key (``TABLE_KEYS``; unknown tables by their first column) unless they
    already are; files are written with pyarrow (zstd, no index), so equal tables give byte-identical
    files. Returns ``{name: path}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in sorted(tables):
        df = tables[name]
        keys = TABLE_KEYS.get(name, [df.columns[0]] if len(df.columns) else [])
        keys = [k for k in keys if k in df.columns]
        if keys and not _is_sorted(df, keys):
            df = df.sort_values(keys, kind="stable")
        df = df.reset_index(drop=True)
        table = pa.Table.from_pandas(df, preserve_index=False)
        path = out_dir / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd")
        paths[name] = path
    return paths


# ----------------------------------------------------------------------------------------------
# ground truth helpers
# ----------------------------------------------------------------------------------------------
def planted_sources(accounts: pd.DataFrame) -> set[str]:
    """Ground-truth misinformation sources of a synthetic platform.

    These are the accounts planted to originate misinformation: the official accounts of the
    low-credibility domains (``account_kind == "news_lowcred"``) and the hyperpartisan human seeders
    (``account_kind == "human_misinfo_seeder"``). Amplifier bots are *not* sources (they only spread).
    """
    if "account_kind" not in accounts.columns:
        raise KeyError("planted_sources needs the ground-truth column accounts.account_kind")
    k = accounts["account_kind"].astype("string")
    sel = k.isin(list(SOURCE_KINDS)).fillna(False).to_numpy(dtype=bool)
    return set(accounts.loc[sel, "account_id"].astype(str))


def profile_features(accounts: pd.DataFrame) -> pd.DataFrame:
    """Numeric profile features of ``accounts`` (one row per account, same order).

    Raw counts and flags plus the usual derived profile features: account age in days at collection,
    statuses per day, follower/friend ratio, lengths of name/screen name/description, digits in the
    screen name, presence of URL/location. Never uses ids, absolute times or ground-truth columns.
    """
    a = accounts
    out = pd.DataFrame(index=a.index)
    for col in ("followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"):
        if col in a:
            out[col] = pd.to_numeric(a[col], errors="coerce").astype("Float64")
    for col in ("verified", "default_profile", "default_profile_image", "protected"):
        if col in a:
            out[col] = a[col].astype("boolean").astype("Float64")
    if "created_at" in a and "collected_at" in a:
        age = (a["collected_at"] - a["created_at"]).dt.total_seconds() / DAY
        out["account_age_days"] = age.astype("Float64")
        if "statuses_count" in out:
            out["statuses_per_day"] = out["statuses_count"] / out["account_age_days"].clip(lower=1.0)
    if "followers_count" in out and "friends_count" in out:
        out["followers_friends_ratio"] = out["followers_count"] / (out["friends_count"] + 1.0)
    for col, name in (("description", "description_len"), ("name", "name_len"), ("screen_name", "screen_name_len")):
        if col in a:
            out[name] = a[col].astype("string").str.len().fillna(0).astype("Float64")
    if "screen_name" in a:
        out["screen_name_digits"] = a["screen_name"].astype("string").str.count(r"[0-9]").fillna(0).astype("Float64")
    for col, name in (("url", "has_url"), ("location", "has_location")):
        if col in a:
            out[name] = a[col].notna().astype("Float64")
    return out


def single_feature_aucs(accounts: pd.DataFrame) -> pd.Series:
    """ROC AUC of each numeric profile feature for bot vs human, as ``max(auc, 1 - auc)``.

    Uses the labelled rows (``label`` in {bot, human}) and ``profile_features``; rows where a feature is
    missing are left out for that feature. Sorted descending; name ``auc``.
    """
    from sklearn.metrics import roc_auc_score

    lab = accounts["label"].astype("string")
    keep = lab.isin(["bot", "human"]).fillna(False).to_numpy(dtype=bool)
    if keep.sum() == 0:
        raise ValueError("single_feature_aucs: no rows labelled bot/human")
    y = (lab[keep] == "bot").to_numpy(dtype=bool)
    if y.all() or not y.any():
        raise ValueError("single_feature_aucs: needs both bots and humans")
    feats = profile_features(accounts.loc[keep])
    res = {}
    for col in feats.columns:
        x = feats[col].to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(x)
        if ok.sum() < 2 or y[ok].all() or not y[ok].any():
            continue
        auc = float(roc_auc_score(y[ok], x[ok]))
        res[col] = max(auc, 1.0 - auc)
    return pd.Series(res, name="auc", dtype=float).sort_values(ascending=False)
