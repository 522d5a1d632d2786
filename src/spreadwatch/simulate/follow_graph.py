"""The follower graph: amplifier groups' clients and the follow edges.

``_groups_clients(cfg, L)`` -> ``(group, client)`` index pairs; ``_follows(cfg, L, gc)`` -> unique
``(follower, followee)`` index arrays (preferential attachment with community homophily, fake-follower
customers, dense amplifier groups that follow their clients).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from spreadwatch.simulate.config import (
    AMP,
    CYBORG,
    FAKE,
    HUMAN,
    N_COMMUNITIES,
    NEWS_L,
    NEWS_R,
    SEEDER,
    SPAM,
    SimulationConfig,
    _rng,
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


def _follows(
    cfg: SimulationConfig, L: SimpleNamespace, gc: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    rng = _rng(cfg, "follows")
    n = L.n
    src = np.repeat(np.arange(n, dtype=np.int64), L.kout)
    E = src.size
    homo = np.select([L.kind == FAKE, L.kind == SPAM, L.kind == AMP, L.comm == 0], [0.0, 0.1, 0.8, 0.75], 0.6)
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
        dst[fk_edges] = cust[
            np.minimum(
                np.searchsorted(np.cumsum(cw), rng.random(fk_edges.size) * cw.sum(), side="right"), cust.size - 1
            )
        ]
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
            mem = order[starts[g] : starts[g] + gsizes[g]]
            ii, jj = np.meshgrid(mem, mem, indexing="ij")
            keep = (ii != jj) & (rng.random(ii.shape) < 0.6)
            a_s.append(ii[keep])
            a_d.append(jj[keep])
        gg, cl = gc
        # member x client of the same group
        for g in range(L.n_groups):
            mem = order[starts[g] : starts[g] + gsizes[g]]
            clients = cl[gg == g]
            a_s.append(np.repeat(mem, clients.size))
            a_d.append(np.tile(clients, mem.size))
        parts_s += a_s
        parts_d += a_d
    s = np.concatenate(parts_s)
    t = np.concatenate(parts_d)
    ok = s != t
    key = np.unique(s[ok] * n + t[ok])
    return key // n, key % n
