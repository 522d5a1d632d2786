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

Measured (5000 accounts, 5-fold random forest on raw profile columns, the helpers in
``tests/test_simulate.py``): ROC AUC about 0.96 at difficulty 0, 0.89 at 0.5 and 0.79 at 1; the best
single profile column stays below 0.9 at every difficulty (about 0.75 at 0.5). Cyborgs are the hardest
kind by design.

Not simulated: likes as events, follow/unfollow dynamics, deletions/suspensions, retweets of posts
outside URL cascades (so ordinary humans' posts are mostly originals).

Layout
------
``config`` (constants, ``SimulationConfig``, seeded streams) -> ``population`` (latent account traits,
news domains) -> ``follow_graph`` -> ``activity`` (sleep, schedules, delays, posts outside cascades) ->
``cascades`` (stories, amplification, spreading) -> ``texts`` (names, descriptions, post texts) ->
``tables`` (ids, times, counts: the six tables) -> ``write`` (Parquet files); ``truth`` (planted sources).
"""

from spreadwatch.simulate.config import (
    ACCOUNT_KINDS,
    BOT_KINDS,
    SOURCE_KINDS,
    TABLE_KEYS,
    SimulationConfig,
)
from spreadwatch.simulate.tables import simulate_platform
from spreadwatch.simulate.truth import planted_sources
from spreadwatch.simulate.write import write_tables

__all__ = [
    "SimulationConfig",
    "simulate_platform",
    "write_tables",
    "planted_sources",
    "ACCOUNT_KINDS",
    "BOT_KINDS",
    "SOURCE_KINDS",
    "TABLE_KEYS",
]
