"""The report in a real browser: untrusted text never executes and the table script runs.

Uses Debian's headless Chromium (``make test`` installs it); skips with a reason when it is absent.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import build_payload_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
# payloads that would leave a trace if they ran: a changed title, an extra element, a body attribute
ATTACKS = [
    "<script>document.title='PWNED-1';document.body.setAttribute('data-pwned','1')</script>",
    "<img src=x onerror=\"document.title='PWNED-2';document.body.appendChild(document.createElement('marquee'))\">",
    '"><svg onload="document.title=\'PWNED-3\'">',
]


def dump_dom(html_path: Path, profile: Path) -> str:
    """The DOM after the page's scripts ran (``--dump-dom``)."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=2000",
        "--dump-dom",
        html_path.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def poisoned_report(tmp_path: Path) -> Path:
    """The payload report of test_report with the attacks in account names, descriptions, posts, titles."""
    import test_report

    tmp_path.mkdir(parents=True, exist_ok=True)
    original = test_report.PAYLOADS
    test_report.PAYLOADS = ATTACKS
    try:
        return build_payload_report(tmp_path)
    finally:
        test_report.PAYLOADS = original


def check_page(dom: str):
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert "PWNED" not in title, title
    assert not re.search(r"<body[^>]*data-pwned", dom) and "<marquee" not in dom.lower()
    assert not re.search(r"<(img|svg)[^>]*(onerror|onload)", dom, re.I)
    # rendered: the ranked rows are in the DOM and the sort/filter script ran
    assert dom.count('<tr data-review="') == 3
    assert 'data-ready="1"' in dom
    assert "3 of 3 accounts shown" in dom
    assert "&lt;script&gt;document.title=" in dom  # the payload is shown as text


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium (/usr/bin/chromium) is not installed; `make test` installs it"
)
def test_payloads_do_not_execute_and_table_script_runs(tmp_path):
    page = poisoned_report(tmp_path / "r")
    check_page(dump_dom(page, tmp_path / "profile"))


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium (/usr/bin/chromium) is not installed; `make test` installs it"
)
def test_escaping_alone_stops_the_payloads_without_the_csp(tmp_path):
    """Same page with the Content-Security-Policy removed: escaping must hold on its own."""
    page = poisoned_report(tmp_path / "r")
    text = page.read_text()
    no_csp = re.sub(r"<meta http-equiv='Content-Security-Policy'[^>]*>", "", text)
    assert no_csp != text
    bare = tmp_path / "no_csp.html"
    bare.write_text(no_csp)
    check_page(dump_dom(bare, tmp_path / "profile"))


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium (/usr/bin/chromium) is not installed; `make test` installs it"
)
def test_the_payload_check_can_fail(tmp_path):
    """Guard against a test that cannot fail: an unescaped payload in a CSP-less page does run."""
    bad = tmp_path / "bad.html"
    bad.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{ATTACKS[0]}</body></html>")
    dom = dump_dom(bad, tmp_path / "profile")
    assert "PWNED-1" in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
