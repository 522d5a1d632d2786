"""The review desk web app (FastAPI + server-rendered jinja2, autoescape on; no external assets).

``create_app(results_dir, dataset, db_path, token=None)`` returns the ASGI app. Pages: ``/queue``,
``/account/{id}``, ``/cascade/{id}``, ``/domain/{name}``, ``/audit``, ``/export.csv``; writes
(POST, CSRF-checked): ``/account/{id}/verdict``, ``/account/{id}/undo``, ``/import``.

Safety: every response carries a strict Content-Security-Policy (scripts and styles only from
``/static``), ``X-Content-Type-Options: nosniff``, ``frame-ancestors 'none'``; every POST must carry
the session's CSRF token (HMAC of the session cookie with a per-process secret) and, when the app
was created with a ``token``, every request must carry it (cookie set from ``?token=`` once, or an
``Authorization: Bearer`` header).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import math
import secrets
import threading
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from spreadwatch.desk import db as vdb
from spreadwatch.desk import queries, trees
from spreadwatch.ranking import COMPONENTS
from spreadwatch.safe_csv import neutralise_cell, unneutralise_cell


def _cell(value) -> str:
    """A CSV cell for the export: missing as empty, formula-like text neutralised."""
    missing = value is None or (not isinstance(value, str) and pd.isna(value))
    return "" if missing else neutralise_cell(str(value))


HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
SESSION_COOKIE = "desk_session"
TOKEN_COOKIE = "desk_token"
REVIEWER_COOKIE = "desk_reviewer"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
    )
    env.filters["num"] = lambda v, d=3: (
        ""
        if v is None or (isinstance(v, float) and math.isnan(v))
        else (f"{v:.{d}f}" if isinstance(v, float) else str(v))
    )
    env.globals["COMPONENTS"] = COMPONENTS
    env.globals["WORDS"] = queries.COMPONENT_WORDS
    return env


def load_or_create_token(db_path: str | Path) -> str:
    """The per-install secret beside the store (``<db>.token``, mode 0600), created on first use."""
    path = Path(str(db_path) + ".token")
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = __import__("os").open(
        path, __import__("os").O_WRONLY | __import__("os").O_CREAT | __import__("os").O_EXCL, 0o600
    )
    with open(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def create_app(
    results_dir: str | Path,
    dataset: str,
    db_path: str | Path,
    token: str | None = None,
    queue_cache: str | Path | None = None,
) -> FastAPI:
    """The desk over ``results_dir/dataset`` with verdicts in ``db_path`` (created and migrated)."""
    results_dir, db_path = Path(results_dir), Path(db_path)
    ranked_csv = results_dir / dataset / "ranked_accounts.csv"
    if not ranked_csv.exists():
        raise FileNotFoundError(f"{ranked_csv} does not exist: run the workflow for {dataset!r} first")
    writer = vdb.connect(db_path)
    write_lock = threading.Lock()
    queue_db = queries.build_queue_db(ranked_csv, queue_cache or results_dir / dataset / "desk" / "queue.sqlite")
    queue = queries.Queue(queue_db, db_path, dataset)
    details = queries.Details(results_dir, dataset)
    env = environment()
    secret = secrets.token_bytes(32)

    app = FastAPI(title="spreadwatch review desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.dataset, app.state.db_path, app.state.token = dataset, db_path, token

    def csrf_for(session: str) -> str:
        return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if token is not None:
            given = request.cookies.get(TOKEN_COOKIE) or ""
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:].strip()
            query_token = request.query_params.get("token")
            if query_token and request.method == "GET" and hmac.compare_digest(query_token, token):
                params = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + ("?" + urlencode(params) if params else "")
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
                return _harden(response)
            if not hmac.compare_digest(given.encode(), token.encode()):
                return _harden(
                    PlainTextResponse(
                        "403: this desk needs its access token (open the link with "
                        "?token=... printed by `spreadwatch serve`)",
                        status_code=403,
                    )
                )
        session = request.cookies.get(SESSION_COOKIE)
        new_session = None
        if not session or len(session) > 100:
            session = new_session = secrets.token_urlsafe(24)
        request.state.session = session
        request.state.csrf = csrf_for(session)
        if request.method not in ("GET", "HEAD"):
            if new_session is not None:
                return _harden(PlainTextResponse("403: no session; reload the page", status_code=403))
            origin = request.headers.get("origin")
            if origin and origin != "null" and origin.split("://", 1)[-1] != request.headers.get("host", ""):
                return _harden(PlainTextResponse("403: cross-origin write refused", status_code=403))
        response = await call_next(request)
        if new_session is not None:
            response.set_cookie(SESSION_COOKIE, new_session, httponly=True, samesite="strict")
        return _harden(response)

    def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(
            dataset=dataset,
            csrf=request.state.csrf,
            reviewer=_reviewer_cookie(request),
            statuses=queries.STATUSES,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    @app.get("/")
    def home():
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue_page(request: Request):
        p = request.query_params
        query = queries.QueueQuery(
            q=p.get("q", ""),
            status=p.get("status", ""),
            component=p.get("component", ""),
            min_component=_float(p.get("min_component")),
            min_score=_float(p.get("min_score")),
            max_score=_float(p.get("max_score")),
            sort=p.get("sort", "rank"),
            desc=p.get("desc") == "1",
            page=_int(p.get("page"), 1),
            per_page=_int(p.get("per_page"), 50),
        )
        result = queue.page(query)
        for row in result["rows"]:
            row["reasons"] = queries.reasons_in_words(row)
        base = {
            k: v
            for k, v in (
                ("q", query.q),
                ("status", query.status),
                ("component", query.component),
                ("min_component", p.get("min_component", "")),
                ("min_score", p.get("min_score", "")),
                ("max_score", p.get("max_score", "")),
                ("per_page", str(query.per_page)),
            )
            if v not in ("", None, "50")
        }

        def link(**changes):
            merged = {**base, "sort": query.sort, "desc": "1" if query.desc else "", "page": str(query.page), **changes}
            return "/queue?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

        return render(
            request,
            "queue.html",
            result=result,
            q=query,
            link=link,
            sortable=queries.SORTABLE,
            here=str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
        )

    @app.get("/account/{account_id}", response_class=HTMLResponse)
    def account_page(request: Request, account_id: str):
        row = queue.row(account_id)
        profile = details.account(account_id)
        if row is None and profile is None:
            return render(request, "error.html", status=404, message=f"No account {account_id} in {dataset}.")
        row = row or {"account_id": account_id}
        prev_id, next_id = queue.neighbours(int(row["rank"])) if row.get("rank") is not None else (None, None)
        cascades = details.cascades_of(account_id)
        partners = details.partners(account_id)
        ids = {account_id, *(p["account_id"] for p in partners), *(c["root_account_id"] for c in cascades)}
        pictures = []
        for c in cascades[:3]:
            ids |= {r["account_id"] for r in details.tree(c["cascade_id"]) if r["account_id"]}
        names = queue.names(ids)
        for c in cascades[:3]:
            pictures.append(
                {
                    "cascade": c,
                    "tree": trees.propagation(
                        c, None, highlight=account_id, names=names, edges=details.tree(c["cascade_id"])
                    ),
                }
            )
        reader = queue._con()  # this thread's read connection (verdict store attached): never the writer's
        verdict = vdb.get_verdict(reader, dataset, account_id)
        context = _score_context(queue, row, dataset)
        return render(
            request,
            "account.html",
            row=row,
            profile=profile or {},
            scores=details.scores(account_id),
            reasons=queries.reasons_in_words(row, n=6),
            timeline=details.timeline(account_id),
            cascades=cascades,
            pictures=pictures,
            partners=partners,
            names=names,
            posts=details.sample_posts(account_id),
            domains=details.domains_of(account_id),
            verdict=verdict,
            history=vdb.history(reader, dataset, account_id)[:20],
            calibration=details.bot_calibration,
            context=context,
            prev_id=prev_id,
            next_id=next_id,
            back=_local(request.query_params.get("back"), "/queue"),
        )

    async def store_write(request: Request, account_id: str, write, remember_reviewer: bool) -> Response:
        """One verdict-store write from a form POST: CSRF check, reviewer from the form or the cookie,
        ``write(form, reviewer) -> payload`` under the writer lock, a 400 with the store's message when it
        refuses; then the answer (JSON, or a redirect to ``next`` / the account page)."""
        form = await request.form()
        if not _csrf_ok(request, form):
            return _refused()
        reviewer = str(form.get("reviewer") or _reviewer_cookie(request) or "")
        try:
            with write_lock:
                payload = {"ok": True, **write(form, reviewer)}
                _checkpoint(writer)
        except vdb.VerdictError as error:
            return _answer(request, 400, {"ok": False, "error": str(error)}, env, str(error))
        target = _local(form.get("next"), f"/account/{account_id}")
        return _answer(
            request,
            200,
            payload,
            env,
            redirect=target,
            reviewer=vdb.check_reviewer(reviewer) if remember_reviewer else None,
        )

    @app.post("/account/{account_id}/verdict")
    async def post_verdict(request: Request, account_id: str):
        def write(form, reviewer: str) -> dict:
            audit_id = vdb.set_verdict(
                writer, dataset, account_id, str(form.get("verdict") or ""), reviewer, str(form.get("note") or "")
            )
            return {"account_id": account_id, "verdict": form.get("verdict"), "audit_id": audit_id}

        return await store_write(request, account_id, write, remember_reviewer=True)

    @app.post("/account/{account_id}/undo")
    async def post_undo(request: Request, account_id: str):
        def write(form, reviewer: str) -> dict:
            return {"restored": vdb.undo(writer, dataset, account_id, reviewer)}

        return await store_write(request, account_id, write, remember_reviewer=False)

    @app.get("/cascade/{cascade_id}", response_class=HTMLResponse)
    def cascade_page(request: Request, cascade_id: str):
        if cascade_id not in details.cascades:
            return render(request, "error.html", status=404, message=f"No cascade {cascade_id} in {dataset}.")
        summary = details.cascade_summary(cascade_id)
        edges = details.tree(cascade_id)
        drivers = details.drivers(cascade_id)
        names = queue.names({r["account_id"] for r in edges if r["account_id"]})
        tree = trees.propagation(
            summary, None, highlight=request.query_params.get("account"), names=names, max_nodes=300, edges=edges
        )
        times = sorted(r["delay_s"] for r in edges[1:] if r["delay_s"] == r["delay_s"])
        curve = _growth_curve(times)
        return render(request, "cascade.html", c=summary, tree=tree, drivers=drivers, names=names, curve=curve)

    @app.get("/domain/{name:path}", response_class=HTMLResponse)
    def domain_page(request: Request, name: str):
        info = details.domain(name)
        if info is None:
            return render(request, "error.html", status=404, message=f"No domain {name} in {dataset}.")
        names = queue.names({s["account_id"] for s in info["seeders"]})
        return render(request, "domain.html", d=info, names=names)

    @app.get("/domains", response_class=HTMLResponse)
    def domains_page(request: Request):
        rows = (
            []
            if details.domains is None
            else [{k: queries._clean(v) for k, v in r.items()} for r in details.domains.head(200).to_dict("records")]
        )
        return render(request, "domains.html", rows=rows)

    @app.get("/audit", response_class=HTMLResponse)
    def audit_page(request: Request):
        reader = queue._con()
        rows = reader.execute(
            "SELECT id, account_id, action, verdict, reviewer, note, date FROM audit_log "
            "WHERE dataset = ? ORDER BY id DESC LIMIT 500",
            (dataset,),
        ).fetchall()
        entries = [dict(zip(("id", "account_id", "action", "verdict", "reviewer", "note", "date"), r)) for r in rows]
        counts = dict(
            reader.execute(
                "SELECT verdict, COUNT(*) FROM verdicts WHERE dataset = ? GROUP BY verdict", (dataset,)
            ).fetchall()
        )
        return render(
            request, "audit.html", entries=entries, counts=counts, names=queue.names({e["account_id"] for e in entries})
        )

    @app.get("/export.csv")
    def export_csv():
        frame = vdb.verdicts_frame(queue._con(), dataset)
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(["account_id", "verdict", "reviewer", "note", "date"])
        for r in frame.itertuples(index=False):
            out.writerow([_cell(r.account_id), r.verdict, _cell(r.reviewer), _cell(r.note), r.date])
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="reviews-{dataset}.csv"'},
        )

    @app.post("/import")
    async def import_csv(request: Request):
        from spreadwatch.reviews import ReviewFileError, read_reviews

        form = await request.form()
        if not _csrf_ok(request, form):
            return _refused()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return _answer(request, 400, {"ok": False, "error": "no file"}, env, "choose a reviews CSV to import")
        data = await upload.read()
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
            handle.write(data)
            handle.flush()
            try:
                reviews = read_reviews(handle.name)
            except (ReviewFileError, UnicodeDecodeError, pd.errors.ParserError) as error:
                return _answer(request, 400, {"ok": False, "error": str(error)}, env, str(error))
        for column in ("account_id", "note", "reviewer"):
            reviews[column] = reviews[column].map(unneutralise_cell)
        try:
            with write_lock:
                n = vdb.import_csv(writer, dataset, reviews, reviewer_default=_reviewer_cookie(request) or "import")
                _checkpoint(writer)
        except vdb.VerdictError as error:
            return _answer(request, 400, {"ok": False, "error": str(error)}, env, str(error))
        return _answer(request, 200, {"ok": True, "imported": n}, env, redirect="/audit")

    @app.get("/healthz")
    def healthz():
        return {"ok": True, "dataset": dataset, "accounts": queue.total, "schema": vdb.schema_version(queue._con())}

    app.state.close = writer.close
    return app


def _csrf_ok(request: Request, form) -> bool:
    """The POST carries this session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``)."""
    given = request.headers.get("x-csrf-token") or form.get("csrf")
    return isinstance(given, str) and hmac.compare_digest(given, request.state.csrf)


def _refused() -> Response:
    return PlainTextResponse("403: missing or wrong CSRF token; reload the page and try again", status_code=403)


def _checkpoint(con) -> None:
    """Fold the WAL into the database file so its mtime tells Snakemake the verdicts changed."""
    con.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _harden(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer(
    request: Request,
    status: int,
    payload: dict,
    env: Environment,
    message: str = "",
    redirect: str | None = None,
    reviewer: str | None = None,
) -> Response:
    """JSON for API clients (Accept: application/json), else a redirect (303) or an error page."""
    if "application/json" in request.headers.get("accept", ""):
        response = JSONResponse(payload, status_code=status)
    elif status < 400 and redirect:
        response = RedirectResponse(redirect, status_code=303)
    else:
        html = env.get_template("error.html").render(
            dataset=request.app.state.dataset, message=message, csrf=request.state.csrf, reviewer=None, statuses=()
        )
        response = HTMLResponse(html, status_code=status)
    if reviewer:
        response.set_cookie(REVIEWER_COOKIE, reviewer, httponly=True, samesite="strict", max_age=3600 * 24 * 365)
    return response


def _reviewer_cookie(request: Request) -> str | None:
    value = request.cookies.get(REVIEWER_COOKIE)
    return value if value and vdb.REVIEWER_PATTERN.match(value) else None


def _local(target, default: str) -> str:
    """Only same-site paths are followed after a write (no open redirect)."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _score_context(queue: queries.Queue, row: dict, dataset: str) -> dict | None:
    """ "What a score of s means here": about how many accounts score as high, and the dataset labels
    and reviewers' verdicts of accounts scoring within 0.05 (from the cache's score histogram)."""
    score = row.get("score")
    if score is None or math.isnan(score):
        return None
    con = queue._con()
    b = int(score * 1000)
    above = con.execute("SELECT COALESCE(SUM(n), 0) FROM score_hist WHERE b >= ?", (b,)).fetchone()[0]
    lo, hi = score - 0.05, score + 0.05
    band = con.execute(
        "SELECT SUM(n), SUM(bots), SUM(humans) FROM score_hist WHERE b BETWEEN ? AND ?",
        (int(lo * 1000), int(hi * 1000)),
    ).fetchone()
    verdicts = dict(
        con.execute(
            "SELECT vv.verdict, COUNT(*) FROM v.verdicts vv CROSS JOIN ranked r ON vv.dataset = ? "
            "AND r.account_id = vv.account_id WHERE r.score BETWEEN ? AND ? GROUP BY vv.verdict",
            (dataset, lo, hi),
        ).fetchall()
    )
    return {
        "score": score,
        "above": int(above),
        "total": queue.total,
        "share": above / max(queue.total, 1),
        "lo": max(lo, 0.0),
        "hi": min(hi, 1.0),
        "band": int(band[0] or 0),
        "bots": int(band[1] or 0),
        "humans": int(band[2] or 0),
        "verdicts": verdicts,
    }


def _growth_curve(delays) -> dict:
    """Cumulative engagements over time since the root as an SVG polyline (log-time axis)."""
    import numpy as np

    if len(delays) == 0:
        return {"points": "", "n": 0}
    t = np.log10(1 + np.asarray(delays, dtype=float) / 60)
    span = max(float(t.max()), 1e-9)
    n = len(t)
    pts = [f"{10 + 480 * x / span:.1f},{110 - 100 * (i + 1) / n:.1f}" for i, x in enumerate(t)]
    step = max(1, n // 400)
    pts = pts[::step] + [pts[-1]]
    ticks = [
        {"x": 10 + 480 * np.log10(1 + m) / span, "label": lbl}
        for m, lbl in ((1, "1 min"), (10, "10 min"), (60, "1 h"), (600, "10 h"), (1440, "1 d"), (14400, "10 d"))
        if np.log10(1 + m) <= span
    ]
    return {"points": " ".join(pts), "n": n, "last": float(np.asarray(delays).max()), "ticks": ticks}
