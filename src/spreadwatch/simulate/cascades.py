"""Cascades: stories and their roots, coordinated amplification and spreading along follow edges.

``_cascades(cfg, L, D)`` -> per-cascade arrays (event, label, root, start time, domain, virality, title);
``_amplification`` -> amplifier groups' coordinated retweets of client posts; ``_spread`` -> every
engagement as cascade ``c``, child ``a``, parent account ``pa``, parent engagement ``pe`` (-1 = root),
time ``t`` and kind.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from spreadwatch.simulate.activity import _delays, _push_awake
from spreadwatch.simulate.config import (
    _DILUTION,
    CYBORG,
    DAY,
    HUMAN,
    NEWS_L,
    NEWS_R,
    QUOTE,
    REPLY,
    RT,
    SEEDER,
    SPAM,
    SimulationConfig,
    _ln,
    _rng,
)
from spreadwatch.simulate.texts import _CALM_SUF, _PERSON, _SENS_PRE, _SENS_SUF, _TOPIC, _VERB


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
    p_false = np.array([0.12, 0.06, 0.04, 0.35, 0.03, 0.40])
    p_true = np.array([0.25, 0.06, 0.0, 0.03, 0.60, 0.06])
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
            root[s] = pools[k][
                np.minimum(np.searchsorted(cum, rng.random(s.size) * cum[-1], side="right"), pools[k].size - 1)
            ]
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
        dom[sel] = cand[np.minimum(np.searchsorted(cum, rng.random(sel.size) * cum[-1], side="right"), cand.size - 1)]
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
    suf = np.where(
        sens & (r_suf < 0.6),
        np.array(_SENS_SUF, dtype=object)[suf_i],
        np.where(~sens & (r_suf < 0.3), np.array(_CALM_SUF, dtype=object)[calm_i], None),
    )
    title = pc.binary_join_element_wise(
        pa.array(pre, pa.string()),
        pa.array(np.array(_PERSON, dtype=object)[person], pa.string()),
        pa.array(np.array(_VERB, dtype=object)[verb], pa.string()),
        pa.array(np.array(_TOPIC, dtype=object)[topic], pa.string()),
        pa.array(suf, pa.string()),
        " ",
        null_handling="skip",
    )
    slug = pc.replace_substring_regex(
        pc.utf8_lower(
            pc.binary_join_element_wise(
                pa.array(np.array(_PERSON, dtype=object)[person], pa.string()),
                pa.array(np.array(_TOPIC, dtype=object)[topic], pa.string()),
                " ",
            )
        ),
        pattern="[^a-z0-9]+",
        replacement="-",
    )
    slug = pc.utf8_trim(slug, characters="-")
    return SimpleNamespace(
        C=C,
        n_ev=n_ev,
        ev=ev,
        is_false=is_false,
        root=root,
        t0=t0,
        dom=dom,
        vir=vir,
        tau=tau,
        title=title,
        slug=slug,
        url_id=rng.integers(10**5, 10**7, C),
        www=rng.random(C) < 0.3,
        ev_hex=rng.integers(0, 2**40, n_ev),
        c_hex=rng.integers(0, 2**62, C),
    )


# ----------------------------------------------------------------------------------------------
# spreading
# ----------------------------------------------------------------------------------------------
def _amplification(cfg, L, K, gc) -> SimpleNamespace:
    """Coordinated retweets of client posts by amplifier groups (all hang from the cascade root)."""
    rng = _rng(cfg, "amplify")
    d = float(cfg.difficulty)
    gg, cl = gc
    empty = SimpleNamespace(c=np.zeros(0, np.int64), a=np.zeros(0, np.int64), t=np.zeros(0), kind=np.zeros(0, np.int8))
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
    p_rt = np.array([0.78, 0.60, 0.50, 0.50, 0.78, 0.35, 0.95, 0.90])[L.kind]
    p_rep = np.array([0.14, 0.20, 0.0, 0.0, 0.14, 0.60, 0.0, 0.10])[L.kind]

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
        key, c, child, t, pa_, pe, kind = (
            key[first],
            c[first],
            child[first],
            t[first],
            pa_[first],
            pe[first],
            kind[first],
        )
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
        out_c.append(c)
        out_a.append(child)
        out_pa.append(pa_)
        out_pe.append(pe)
        out_t.append(t)
        out_k.append(kind.astype(np.int8))
        f_c, f_a, f_t, f_e = c, child, t, eid
        f_x = np.where(kind == REPLY, 0.3, 1.0)

    def cat(x, dt):
        return np.concatenate(x).astype(dt) if x else np.zeros(0, dt)

    return SimpleNamespace(
        c=cat(out_c, np.int64),
        a=cat(out_a, np.int64),
        pa=cat(out_pa, np.int64),
        pe=cat(out_pe, np.int64),
        t=cat(out_t, float),
        kind=cat(out_k, np.int8),
    )
