"""Texts of the synthetic platform: word lists and vectorised pyarrow string builders.

``_account_texts`` -> ``{screen_name, name, description, location, url, lang}`` (one entry per account,
latent order); ``_chatter_texts`` -> ``(text, url, domain)`` for the posts outside cascades. Names are
fictional; a few deliberately contain ``<``, ``&``, quotes and emoji (escaping tests downstream).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreadwatch.simulate.config import _TZ_LANGS, HUMAN, SEEDER, SPAM

# ----------------------------------------------------------------------------------------------
# word lists (all names fictional; a few deliberately contain <, &, quotes and emoji)
# ----------------------------------------------------------------------------------------------
# fmt: off
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
# fmt: on


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
    part_name = _join(
        _where(rng.random(n) < 0.5, first, _pick(rng, _PARTISAN_NAME, n)), _pick(rng, _PARTISAN_TAIL, n, 0.2)
    )
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
    ssn = pc.binary_join_element_wise(
        brand, _pick(rng, ["4u", "_hq", "daily", "_247", "club", "zone"], n), _str_int(rng.integers(0, 1000, n)), ""
    )
    psn = pc.binary_join_element_wise(
        pc.utf8_lower(_pick(rng, ["patriot", "truth", "freedom", "awake", "liberty", "eagle", "redpill"], n)),
        pc.utf8_lower(first),
        _str_int(rng.integers(1, 2000, n)),
        "",
    )
    dsn = pc.binary_join_element_wise(fl, digits8, "")
    screen = _where(st == 1, ssn, _where(st == 2, psn, _where(st == 3, dsn, hsn)))
    if news.any():
        nsn = pa.array(
            np.where(
                news,
                np.char.replace(np.char.replace(D.name[np.maximum(D.acct_domain, 0)].astype(str), ".", ""), "-", ""),
                None,
            ).astype(object),
            pa.string(),
        )
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
    pdesc = _join(
        _pick(rng, _DESC_PARTISAN, n), _pick(rng, _DESC_PARTISAN_TAIL, n, 0.2), _pick(rng, _DESC_PARTISAN_TAIL, n, 0.6)
    )
    fdesc = _pick(rng, _DESC_FAKE, n)
    desc = _where(ds == 1, sdesc, _where(ds == 2, pdesc, _where(ds == 3, fdesc, hdesc)))
    # hyperpartisan humans and seeders add a partisan tail now and then
    part_tail = _join(desc, _pick(rng, _DESC_PARTISAN_TAIL, n))
    desc = _where(((L.comm == 0) & np.isin(kind, [HUMAN, SEEDER]) & (rng.random(n) < 0.3)), part_tail, desc)
    if news.any():
        ndesc = pa.array(
            np.where(
                news,
                np.char.add(
                    np.char.add("Official account of ", D.title[np.maximum(D.acct_domain, 0)].astype(str)),
                    ". News, analysis & opinion.",
                ),
                None,
            ).astype(object),
            pa.string(),
        )
        desc = _where(news, ndesc, desc)
    desc = _where(L.flags["has_description"], desc, pa.nulls(n, pa.string()))
    loc = _where(L.flags["has_location"], _pick(rng, _LOCATIONS, n), pa.nulls(n, pa.string()))
    # profile url
    purl_personal = pc.binary_join_element_wise(
        _const("https://", n), pc.utf8_lower(screen), _pick(rng, [".blog", ".me", ".com", ".net"], n), ""
    )
    purl_spam = pc.binary_join_element_wise(
        _const("https://", n),
        _pick(rng, _SPAM_DOMAINS, n),
        _const("/?ref=", n),
        _str_int(rng.integers(1000, 9999, n)),
        "",
    )
    purl = _where(st == 1, purl_spam, purl_personal)
    if news.any():
        nurl = pa.array(
            np.where(news, np.char.add("https://www.", D.name[np.maximum(D.acct_domain, 0)].astype(str)), None).astype(
                object
            ),
            pa.string(),
        )
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
    return {
        "screen_name": screen,
        "name": name,
        "description": desc,
        "location": loc,
        "url": purl,
        "lang": pa.array(lang, pa.string()),
    }


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
        0: lambda k: _join(
            _pick(rng, _CHAT_OPEN, k, 0.3),
            _pick(rng, _CHAT_TOPIC, k),
            _pick(rng, _CHAT_TAIL, k, 0.3),
            _pick(rng, _CHAT_TAIL, k, 0.8),
        ),
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
    path = pc.binary_join_element_wise(
        _pick(rng, ["p", "go", "deal", "story", "a"], k), _str_int(rng.integers(10**5, 10**8, k)), "/"
    )
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
