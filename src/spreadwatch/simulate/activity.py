"""When accounts act: sleep windows, spam schedules, engagement delays and the posts outside cascades.

``_delays(child, t_parent, L, rng)`` -> absolute engagement times (seconds from the window start);
``_chatter(cfg, L)`` -> original posts outside cascades as ``a`` (account index), ``t`` (seconds) and
``fam`` (text family: 0 chat, 1 spam, 2 amplifier, 3 fake follower, 4 seeder).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from spreadwatch.simulate.config import _HUMAN_HOURS, AMP, CYBORG, DAY, FAKE, HUMAN, SEEDER, SPAM, _ln, _rng


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
    sess_rate = np.where(
        np.isin(kind, [HUMAN, SEEDER]), L.rate, np.where(kind == CYBORG, L.rate * (1 - L.auto_share), 0.0)
    )
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
        accts.append(acct[pa_][ok])
        times.append(t[ok])
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
        t = (
            np.repeat(L.phase[sch] % P, nslots)
            + off * Pk
            + np.abs(rng.normal(0, 1, a.size))
            * np.repeat(L.jitter[sch] * np.where(kind[sch] == SPAM, 1.0, 0.5), nslots)
        )
        ok = (t < end) & (rng.random(a.size) < 0.9)
        accts.append(a[ok])
        times.append(t[ok])
        fam.append(np.where(kind[a[ok]] == SPAM, 1, 0).astype(np.int8))
    # --- Poisson posting (amplifiers, fake followers)
    pois = np.flatnonzero(np.isin(kind, [AMP, FAKE]))
    if pois.size:
        k = rng.poisson(L.rate[pois] * days)
        a = np.repeat(pois, k)
        t = rng.uniform(0, end, a.size)
        accts.append(a)
        times.append(t)
        fam.append(np.where(kind[a] == AMP, 2, 3).astype(np.int8))
    a = np.concatenate(accts) if accts else np.zeros(0, np.int64)
    t = np.concatenate(times) if times else np.zeros(0)
    f = np.concatenate(fam) if fam else np.zeros(0, np.int8)
    return SimpleNamespace(a=a.astype(np.int64), t=t, fam=f)
