"""The simulated population: latent account traits and the news domains.

``_latent(cfg)`` -> one namespace of per-account arrays (kind, community, amplifier group, age, degree
targets, fitness, rates, profile flags, name styles, time zone, sleep window, delays, misinformation
affinity, spam schedule); ``_domains(cfg, L)`` -> domain names, titles, credibility and owning outlet.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from spreadwatch.simulate.config import (
    _TZ,
    _TZ_P,
    AMP,
    CYBORG,
    DAY,
    FAKE,
    HUMAN,
    N_COMMUNITIES,
    NEWS_L,
    NEWS_R,
    SEEDER,
    SPAM,
    SimulationConfig,
    _kind_counts,
    _ln,
    _rng,
)
from spreadwatch.simulate.texts import _LOW_NOUN, _LOW_PREFIX, _LOW_TLD, _REL_NOUN, _REL_PREFIX, _REL_TLD


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

    # per-kind value makers for _by_kind (m -> m values)
    def beta(a, b, lo_, span):
        return lambda m: lo_ + span * rng.beta(a, b, m)

    def lognormal(med, sig):
        return lambda m: _ln(rng, med, sig, m)

    # account age before the window start (days) -----------------------------------------------
    age = 30 + 6000 * rng.beta(1.4, 1.8, n)
    c = camo()
    age = _by_kind(
        rng,
        kind,
        age,
        {
            SEEDER: beta(1.2, 1.5, 60, 4000),
            NEWS_R: beta(2, 1.5, 1500, 4800),
            NEWS_L: beta(1.5, 1.5, 200, 3500),
            CYBORG: beta(1.2, 1.8, 60, 5000),
            SPAM: beta(1, 2, 2, 1000),
        },
        skip=c,
    )
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
    kout = _by_kind(
        rng,
        kind,
        kout,
        {
            SEEDER: lognormal(30, 0.7),
            NEWS_R: lognormal(4, 0.8),
            NEWS_L: lognormal(8, 0.8),
            CYBORG: lognormal(20, 0.8),
            SPAM: lognormal(45, 0.6),
            AMP: lognormal(30, 0.6),
            FAKE: lognormal(55, 0.5),
        },
        skip=c,
    )
    kout[botlike] *= 0.4
    kout[very_active] *= 2.0
    kout *= cfg.mean_sampled_friends / kout.mean()
    kout = np.clip(np.round(kout), 1, max(2, n // 4)).astype(np.int64)

    # fitness (attractiveness as a followee) ----------------------------------------------------
    c = camo()
    alpha = 1.25
    fit = (1.0 - rng.random(n)) ** (-1.0 / alpha)
    fit = _by_kind(
        rng,
        kind,
        fit,
        {
            SEEDER: lambda m: 2 * (1.0 - rng.random(m)) ** (-1.0 / alpha),
            NEWS_R: lognormal(60, 1.0),
            NEWS_L: lognormal(25, 1.0),
            CYBORG: lambda m: 1.3 * (1.0 - rng.random(m)) ** (-1.0 / alpha),
            SPAM: lognormal(0.25, 0.6),
            AMP: lognormal(0.35, 0.6),
            FAKE: lognormal(0.06, 0.6),
        },
        skip=c,
    )
    fit[botlike] *= 0.15
    fit[very_active] *= 2.0
    fit *= ((age + cfg.days) / 365.0) ** 0.35
    # no account may attract more than ~8% of the sample (finite-size cap of the power law)
    for _ in range(3):
        fit = np.minimum(fit, 0.004 * fit.sum())

    # original posts per day --------------------------------------------------------------------
    c = camo()
    rate = _ln(rng, 0.5, 1.1, n)
    rate = _by_kind(
        rng,
        kind,
        rate,
        {
            SEEDER: lognormal(4, 0.6),
            NEWS_R: lambda m: np.zeros(m),
            NEWS_L: lambda m: np.zeros(m),
            CYBORG: lognormal(4, 0.8),
            SPAM: lognormal(10, 0.5),
            AMP: lognormal(0.6, 0.6),
            FAKE: lognormal(0.05, 1.0),
        },
        skip=c,
    )
    rate[botlike] *= 0.15
    rate[very_active] *= _ln(rng, 12, 0.5, int(very_active.sum()))

    # likes per day, listing rate ---------------------------------------------------------------
    c = camo()
    like = _ln(rng, 1.5, 1.2, n)
    like = _by_kind(
        rng,
        kind,
        like,
        {
            SEEDER: lognormal(8, 1),
            NEWS_R: lognormal(0.2, 1),
            NEWS_L: lognormal(0.2, 1),
            CYBORG: lognormal(3, 1),
            SPAM: lognormal(0.2, 1.2),
            AMP: lognormal(4, 1),
            FAKE: lognormal(0.01, 1.5),
        },
        skip=c,
    )
    like[botlike] *= 0.1
    like[very_active] *= 3
    c = camo()
    list_rate = _ln(rng, 0.004, 0.8, n)
    list_rate = _by_kind(
        rng,
        kind,
        list_rate,
        {
            SEEDER: lognormal(0.006, 0.6),
            NEWS_R: lognormal(0.012, 0.5),
            NEWS_L: lognormal(0.012, 0.5),
            CYBORG: lognormal(0.003, 0.8),
            SPAM: lognormal(0.0008, 0.8),
            AMP: lognormal(0.0015, 0.8),
            FAKE: lognormal(0.0003, 0.8),
        },
        skip=c,
    )

    # boolean profile fields: (human, botlike, seeder, news_r, news_l, cyborg, spam, amp, fake)
    flag_p = {
        "default_profile": (0.35, 0.80, 0.20, 0.03, 0.10, 0.30, 0.60, 0.45, 0.90),
        "default_profile_image": (0.04, 0.30, 0.01, 0, 0, 0.03, 0.20, 0.08, 0.55),
        "verified": (0.008, 0, 0.03, 0.75, 0.15, 0.01, 0.002, 0.002, 0),
        "protected": (0.06, 0.03, 0, 0, 0, 0.02, 0.005, 0.005, 0.01),
        "has_description": (0.80, 0.35, 0.98, 1, 1, 0.85, 0.75, 0.90, 0.15),
        "has_location": (0.60, 0.30, 0.70, 0.80, 0.60, 0.60, 0.20, 0.55, 0.10),
        "has_url": (0.20, 0.03, 0.45, 1, 1, 0.35, 0.80, 0.10, 0.02),
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
    style[(kind == SPAM) & ~c] = np.where(r[(kind == SPAM) & ~c] < 0.6, 1, 3)
    style[(kind == AMP) & ~c] = np.where(r[(kind == AMP) & ~c] < 0.6, 2, 3)
    style[(kind == FAKE) & ~c] = np.where(r[(kind == FAKE) & ~c] < 0.8, 3, 0)
    style[(kind == SEEDER) & (r < 0.3)] = 2
    style[botlike & (r < 0.3)] = 3
    desc_style = style.copy()  # same families for descriptions
    desc_style[(kind == FAKE) & ~c] = 3

    # timing -------------------------------------------------------------------------------------
    tz = rng.choice(_TZ, size=n, p=_TZ_P / _TZ_P.sum())
    chrono = rng.normal(0, 1.2, n)
    sleep_start = (23.5 + chrono) % 24
    sleep_len = rng.uniform(6, 8.5, n)
    circ = np.isin(kind, [HUMAN, SEEDER, NEWS_R, NEWS_L, CYBORG])
    delay_med = _ln(rng, 1800, 0.9, n)
    delay_med = _by_kind(
        rng,
        kind,
        delay_med,
        {
            SEEDER: lognormal(600, 0.7),
            NEWS_R: lognormal(3600, 0.8),
            NEWS_L: lognormal(3600, 0.8),
            CYBORG: lognormal(1200, 0.8),
            SPAM: lognormal(120, 0.5),
            AMP: lognormal(600, 0.8),
            FAKE: lognormal(5000, 1.0),
        },
    )
    delay_med[very_active] *= 0.4
    delay_sig = np.where(kind == AMP, 1.0, np.where(kind == HUMAN, 1.6, 1.4))
    # engagement propensity and misinformation affinity (behaviour: no camouflage)
    w = _ln(rng, 1.0, 1.0, n)
    w = _by_kind(
        rng,
        kind,
        w,
        {
            SEEDER: lognormal(3, 0.6),
            NEWS_R: lognormal(0.05, 0.5),
            NEWS_L: lognormal(0.3, 0.5),
            CYBORG: lognormal(2.5, 0.8),
            SPAM: lognormal(0.8, 0.6),
            AMP: lognormal(0.15, 0.6),
            FAKE: lognormal(0.05, 0.8),
        },
    )
    w[botlike] *= 0.25
    w[very_active] *= 3
    mis = np.where(comm == 0, _ln(rng, 1.6, 0.5, n), _ln(rng, 0.6, 0.6, n))
    mis = _by_kind(
        rng,
        kind,
        mis,
        {
            SEEDER: lognormal(3, 0.3),
            NEWS_R: lambda m: np.full(m, 0.05),
            NEWS_L: lambda m: np.full(m, 3.0),
            SPAM: lambda m: np.ones(m),
            AMP: lambda m: np.full(m, 2.0),
            FAKE: lambda m: np.ones(m),
        },
    )
    # spam schedule (period from the posting rate), cyborg automation
    period = DAY / np.maximum(rate, 0.05)
    phase = rng.uniform(0, 1, n) * period
    jitter = period * (0.01 + 0.15 * d)

    return SimpleNamespace(
        n=n,
        kind=kind,
        is_bot=is_bot,
        soph=soph,
        botlike=botlike,
        very_active=very_active,
        comm=comm,
        group=group,
        n_groups=n_groups,
        age=age,
        kout=kout,
        fit=fit,
        rate=rate,
        like=like,
        list_rate=list_rate,
        flags=flags,
        style=style,
        desc_style=desc_style,
        tz=tz,
        sleep_start=sleep_start,
        sleep_len=sleep_len,
        chrono=chrono,
        circ=circ,
        delay_med=delay_med,
        delay_sig=delay_sig,
        w=w,
        mis=mis,
        period=period,
        phase=phase,
        jitter=jitter,
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
        name=np.array(rd + ld, dtype=object),
        title=np.array(rt + lt, dtype=object),
        credibility=np.round(cred, 3),
        low=low,
        owner=owner,
        acct_domain=acct_domain,
        popularity=np.sqrt(L.fit[owner]),
    )
