"""``spreadwatch serve``: resolve the verdict store and token, then run the desk under uvicorn."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

DEFAULT_DB = "reviews/desk.sqlite"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def db_from_config(configfile: str | Path | None, dataset: str) -> str:
    """``ranking.reviews_db`` of the config ('{dataset}' filled in), else ``reviews/desk.sqlite``."""
    if configfile and Path(configfile).exists():
        import yaml

        config = yaml.safe_load(Path(configfile).read_text()) or {}
        pattern = (config.get("ranking") or {}).get("reviews_db")
        if pattern:
            return str(pattern).format(dataset=dataset)
    return DEFAULT_DB


def serve(
    dataset: str,
    results: str = "results",
    db: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    configfile: str | None = None,
) -> int:
    import uvicorn

    from spreadwatch.desk.app import create_app, load_or_create_token

    db_path = Path(db or db_from_config(configfile, dataset))
    if not is_loopback(host):
        token = token or load_or_create_token(db_path)
    try:
        app = create_app(results, dataset, db_path, token=token)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    shown = "localhost" if is_loopback(host) else host
    url = f"http://{shown}:{port}/queue" + (f"?token={token}" if token else "")
    print(f"review desk for {dataset}: {url}\nverdicts -> {db_path}  (Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    return 0
