"""A reviewer's session in real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium; nothing downloaded) against the real desk server over a real tiny workflow run:
queue, filter, account page, two confirmations and one dismissal with notes (one by keyboard),
reload, export, then a real Snakemake rerun of the ranking consumes the verdicts. Also: XSS
payloads in names and descriptions stay text, writes without the CSRF field or the token are
refused. Writes docs/img/desk-queue.png and docs/img/desk-account.png."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, shared_build_dir
from desk_support import (
    PAYLOAD_DESC,
    PAYLOAD_NAME,
    PAYLOAD_SCREEN,
    Server,
    poisoned_workflow,
    snakemake,
)

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Debian chromium and chromium-driver are not installed (`make chromium` installs them)",
    ),
]
IMG = REPO / "docs" / "img"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A private copy of the session's workflow run (the rerun below rewrites its ranked lists)."""
    source = poisoned_workflow(shared_build_dir(tmp_path_factory))
    target = tmp_path_factory.mktemp("desk-browser") / "project"
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait_for(driver, condition, timeout=20):
    """Poll ``condition`` until true; an element replaced while it is read (the page re-renders the
    verdict box after a write, or navigates) is looked up again on the next poll."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def fetch(driver, script_body: str):
    """Run ``script_body`` (an expression giving a Promise) in the page; return its resolved value."""
    return driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        f"Promise.resolve({script_body}).then(done, function (e) {{ done('error: ' + e); }});"
    )


def status_of(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, "#verdict-box h2 .st").text


def test_reviewer_session_end_to_end(project, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    db = project / "reviews" / "desk.sqlite"  # configs/test.yaml ranking.reviews_db
    ranked_before = pd.read_csv(project / "results/synthetic/ranked_accounts.csv", dtype={"account_id": str})
    server = Server(project, db)
    try:
        d = browser
        # --- queue, with the XSS payloads as plain text
        d.get(server.url + "/queue")
        assert d.execute_script("return typeof window.__xss") == "undefined"
        assert len(d.find_elements(By.CSS_SELECTOR, "table.queue tr.row")) == 50
        assert PAYLOAD_SCREEN in d.find_element(By.ID, "queue").text  # shown, escaped, not parsed as markup
        assert not d.find_elements(By.CSS_SELECTOR, "table.queue b")
        IMG.mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(IMG / "desk-queue.png"))

        # --- filter: score >= 0.3, unreviewed, sorted by score
        d.find_element(By.ID, "min_score").send_keys("0.3")
        Select(d.find_element(By.ID, "status")).select_by_value("unreviewed")
        d.find_element(By.ID, "apply").click()
        wait_for(d, lambda drv: "min_score=0.3" in drv.current_url)
        scores = [float(c.text) for c in d.find_elements(By.CSS_SELECTOR, "table.queue td.score")]
        assert scores and min(scores) >= 0.3
        assert len(scores) == min(50, int((ranked_before["score"] >= 0.3).sum()))

        # --- open the first account, confirm it with a note (mouse)
        d.find_element(By.CSS_SELECTOR, "table.queue tr.row td.name a").click()
        wait_for(d, lambda drv: "/account/" in drv.current_url)
        first = d.current_url.split("/account/")[1].split("?")[0]
        assert status_of(d) == "unreviewed"
        d.find_element(By.ID, "reviewer").send_keys("ana.lopez")
        d.find_element(By.ID, "note").send_keys("seeded three false stories in a day")
        d.find_element(By.ID, "confirm").click()
        wait_for(d, lambda drv: status_of(drv) == "confirmed")
        d.save_screenshot(str(IMG / "desk-account.png"))

        # --- next account by keyboard (j), confirm it by keyboard (c)
        ActionChains(d).send_keys("j").perform()
        wait_for(d, lambda drv: first not in drv.current_url)
        second = d.current_url.split("/account/")[1].split("?")[0]
        note = d.find_element(By.ID, "note")
        note.send_keys("same client and timing as the first")
        note.send_keys(Keys.ESCAPE)
        ActionChains(d).send_keys("c").perform()
        wait_for(d, lambda drv: status_of(drv) == "confirmed")
        assert d.find_element(By.ID, "reviewer").get_attribute("value") == "ana.lopez"  # remembered

        # --- the next one is dismissed with a note
        ActionChains(d).send_keys("j").perform()
        wait_for(d, lambda drv: second not in drv.current_url)
        third = d.current_url.split("/account/")[1].split("?")[0]
        d.find_element(By.ID, "note").send_keys("regional newspaper, verified by phone")
        d.find_element(By.ID, "dismiss").click()
        wait_for(d, lambda drv: status_of(drv) == "dismissed")

        # --- reload: the verdicts and notes are kept
        for account, verdict, text in (
            (first, "confirmed", "seeded three false stories"),
            (second, "confirmed", "same client and timing"),
            (third, "dismissed", "regional newspaper"),
        ):
            d.get(f"{server.url}/account/{account}")
            assert status_of(d) == verdict
            assert text in d.find_element(By.ID, "current-note").text
        d.get(server.url + "/queue?status=confirmed")
        assert len(d.find_elements(By.CSS_SELECTOR, "table.queue tr.row")) == 2

        # --- export (the reviews CSV format), fetched by the browser with its session
        exported = fetch(d, "fetch('/export.csv').then(function (r) { return r.text(); })")
        rows = {r["account_id"]: r for r in csv.DictReader(io.StringIO(exported))}
        assert {a: r["verdict"] for a, r in rows.items()} == {
            first: "confirmed",
            second: "confirmed",
            third: "dismissed",
        }
        assert rows[third]["reviewer"] == "ana.lopez" and "newspaper" in rows[third]["note"]

        # --- XSS payloads in name and description stay text on the account page
        poisoned = ranked_before.loc[ranked_before["screen_name"] == PAYLOAD_SCREEN, "account_id"].iloc[0]
        d.get(f"{server.url}/account/{poisoned}")
        assert d.execute_script("return typeof window.__xss") == "undefined"
        assert d.find_element(By.ID, "description").text == PAYLOAD_DESC
        assert d.find_element(By.ID, "display-name").text == PAYLOAD_NAME
        assert d.find_element(By.ID, "screen-name").text == PAYLOAD_SCREEN
        assert not d.find_elements(By.CSS_SELECTOR, "#description *, #display-name *, #screen-name *")  # no markup

        # --- a write without the CSRF field is refused
        status = fetch(
            d,
            f"fetch('/account/{poisoned}/verdict', {{method: 'POST', body: new URLSearchParams("
            "{verdict: 'confirmed', reviewer: 'mallory'})}).then(function (r) { return r.status; })",
        )
        assert status == 403
        d.get(f"{server.url}/account/{poisoned}")
        assert status_of(d) == "unreviewed"
    finally:
        server.stop()

    # --- the next workflow run reads the verdicts from the database
    run = snakemake(project, "results/synthetic/ranked_accounts.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "rank" in run.stderr  # the rank rule ran again because the verdict database appeared
    after = pd.read_csv(project / "results/synthetic/ranked_accounts.csv", dtype={"account_id": str})
    status = after.set_index("account_id")["review_status"]
    assert status[first] == "confirmed" and status[second] == "confirmed" and status[third] == "dismissed"
    assert after["account_id"].iloc[-1] == third  # dismissed: moved below every other account
    assert (status == "unreviewed").sum() == len(after) - 3


def test_non_loopback_desk_refuses_requests_without_its_token(project, browser, tmp_path):
    from selenium.webdriver.common.by import By

    token = "a-long-random-install-token-123"
    server = Server(project, tmp_path / "desk.sqlite", host="0.0.0.0", token=token)
    try:
        d = browser
        d.delete_all_cookies()
        d.get(server.url + "/queue")
        assert "needs its access token" in d.find_element(By.TAG_NAME, "body").text
        status = fetch(
            d,
            "fetch('/account/x/verdict', {method: 'POST', body: new URLSearchParams("
            "{verdict: 'confirmed', reviewer: 'mallory', csrf: 'x'})}).then(function (r) { return r.status; })",
        )
        assert status == 403
        d.get(server.url + f"/queue?token={token}")
        assert "token=" not in d.current_url
        assert len(d.find_elements(By.CSS_SELECTOR, "table.queue tr.row")) == 50
    finally:
        server.stop()
