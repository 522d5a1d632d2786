"""Assembly of the six canonical tables from the simulated components.

``simulate_platform(SimulationConfig)`` -> ``{accounts, posts, cascades, engagements, follows, domains}``
(docs/data-model.md): ids (Twitter-style sequential ids and snowflakes), times, texts and counts, every
table sorted by its key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreadwatch.progress import progress_steps
from spreadwatch.simulate.activity import _chatter
from spreadwatch.simulate.cascades import _amplification, _cascades, _spread
from spreadwatch.simulate.config import (
    ACCOUNT_KINDS,
    AMP,
    DAY,
    ENG_KIND_NAMES,
    PLATFORM_START_MS,
    QUOTE,
    REPLY,
    RT,
    SNOWFLAKE_USERS_FROM,
    TWITTER_EPOCH_MS,
    SimulationConfig,
    _ln,
    _rng,
)
from spreadwatch.simulate.follow_graph import _follows, _groups_clients
from spreadwatch.simulate.population import _domains, _latent
from spreadwatch.simulate.texts import (
    _QUOTE,
    _REPLY,
    _ROOT_COMMENT,
    _account_texts,
    _chatter_texts,
    _const,
    _join,
    _pick,
    _scatter,
    _str_int,
    _where,
)


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

    bar = progress_steps("simulate", total=6)
    L = _latent(cfg)
    D = _domains(cfg, L)
    bar.step("population")
    gc = _groups_clients(cfg, L)
    follower, followee = _follows(cfg, L, gc)
    bar.step("follow graph")
    K = _cascades(cfg, L, D)
    AMPL = _amplification(cfg, L, K, gc)
    G = _spread(cfg, L, K, follower, followee, AMPL)
    bar.step("cascades")
    CH = _chatter(cfg, L)
    bar.step("posts outside cascades")
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
        pc.binary_join_element_wise(K.slug, _str_int(K.url_id), "-"),
        sep="/",
    )
    is_news_root = D.acct_domain[K.root] >= 0
    root_text = _join(_where(is_news_root, pa.nulls(C, pa.string()), _pick(rng, _ROOT_COMMENT, C)), K.title, casc_url)

    ch_text, ch_url, ch_dom = _chatter_texts(cfg, CH, D, rng)

    # engagement posts
    parent_acct_sn = sn.take(pa.array(G.pa))
    root_sn = sn.take(pa.array(K.root[G.c]))
    i_rt, i_rep, i_q = (np.flatnonzero(G.kind == k) for k in (RT, REPLY, QUOTE))
    rt_text = pc.utf8_slice_codeunits(
        _join(
            _const("RT", i_rt.size),
            pc.binary_join_element_wise(
                _const("@", i_rt.size), root_sn.take(pa.array(i_rt)), _const(":", i_rt.size), ""
            ),
            root_text.take(pa.array(G.c[i_rt])),
        ),
        0,
        280,
    )
    rep_text = _join(
        pc.binary_join_element_wise(_const("@", i_rep.size), parent_acct_sn.take(pa.array(i_rep)), ""),
        _pick(rng, _REPLY, i_rep.size),
    )
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
    par_str = pc.if_else(
        pa.array(has_parent), post_str.take(pa.array(np.maximum(parent_post, 0))), pa.scalar(None, pa.string())
    )
    has_c = p_casc >= 0
    pc_str = pc.if_else(pa.array(has_c), casc_id.take(pa.array(np.maximum(p_casc, 0))), pa.scalar(None, pa.string()))
    take = pa.array(p_order)
    posts = pd.DataFrame(
        {
            "post_id": _to_pd_str(post_str.take(take)),
            "account_id": _to_pd_str(acct_id_str.take(pa.array(p_acct[p_order]))),
            "created_at": _to_ts(p_ms[p_order]),
            "kind": _to_pd_str(kind_str.take(take)),
            "parent_post_id": _to_pd_str(par_str.take(take)),
            "cascade_id": _to_pd_str(pc_str.take(take)),
            "text": _to_pd_str(text.take(take)),
            "url": _to_pd_str(url.take(take)),
            "domain": _to_pd_str(domain.take(take)),
        }
    )
    del text, url, domain, par_str, pc_str, kind_str, take, ch_text, ch_url, ch_dom, e_text, e_url, e_dom

    bar.step("texts and the posts table")

    # ---------------------------------------------------------------- engagements
    e_ms = p_ms[eng_post]
    root_ms = p_ms[root_post][G.c]
    e_order = pc.sort_indices(post_str.take(pa.array(eng_post))).to_numpy()
    eng_id = post_str.take(pa.array(eng_post))
    parent_eng = pc.if_else(
        pa.array(G.pe >= 0), eng_id.take(pa.array(np.maximum(G.pe, 0))), pa.scalar(None, pa.string())
    )
    et = pa.array(e_order)
    engagements = pd.DataFrame(
        {
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
        }
    )

    # ---------------------------------------------------------------- cascades
    c_order = pc.sort_indices(casc_id).to_numpy()
    label = np.where(K.is_false, "false", "true").astype(object)
    cascades = pd.DataFrame(
        {
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
        }
    )

    # ---------------------------------------------------------------- follows
    a_order = pc.sort_indices(acct_id_str).to_numpy()
    a_rank = np.empty(n, dtype=np.int64)
    a_rank[a_order] = np.arange(n)
    f_order = np.lexsort((a_rank[followee], a_rank[follower]))
    follows = pd.DataFrame(
        {
            "follower_id": _to_pd_str(acct_id_str.take(pa.array(follower[f_order]))),
            "followee_id": _to_pd_str(acct_id_str.take(pa.array(followee[f_order]))),
        }
    )

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

    accounts = pd.DataFrame(
        {
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
        }
    )

    # ---------------------------------------------------------------- domains
    d_order = np.argsort(D.name.astype(str), kind="stable")
    domains = pd.DataFrame(
        {
            "domain": pd.array(D.name[d_order], dtype="string"),
            "credibility": D.credibility[d_order].astype(float),
            "low_credibility": pd.array(D.low[d_order], dtype="boolean"),
            "rating_source": pd.array(np.full(d_order.size, "synthetic", dtype=object), dtype="string"),
        }
    )
    bar.step("the other tables")
    bar.close()
    return {
        "accounts": accounts,
        "posts": posts,
        "cascades": cascades,
        "engagements": engagements,
        "follows": follows,
        "domains": domains,
    }
