"""Browser check: each label config renders for an annotator in headless Chromium.

Not part of the unit suite (it needs Debian's chromium and chromium-driver); run it with
`make check-browser`. It starts a real Label Studio, pushes a small run's sample, logs in as
the admin, opens one task of each record kind, checks that its text, options and label
controls are on the page, and saves a screenshot per kind into the run directory:

    python -m tests.browser.check_label_configs [--out /tmp/babelforge-browser-check]
"""

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from babelforge.annotation.client import Connection, GoldClient
from babelforge.annotation.items import Item
from babelforge.annotation.local_server import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LocalLabelStudio,
    fresh_data_dir,
)
from babelforge.annotation.push import push_sample
from babelforge.annotation.sample import stratified_sample
from babelforge.annotation.tasks import display_fields
from babelforge.schemas.gold_config import GoldConfig
from babelforge.schemas.records import HallucinationSample
from tests.annotation.run_factory import RUN_NAME, build_run

log = logging.getLogger("check_label_configs")

CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--window-size=1400,2200",
)  # fmt: skip

# Words of each config's controls that must be visible to the annotator.
CONTROLS = {
    "mcq": ("Faithful", "Not faithful", "Answerable", "Not answerable", "None of them", "Keep",
            "Drop", "Which option is correct?"),
    "instruction": ("Adequacy", "Fluency", "Keep", "Drop", "English source"),
    "hallucination": ("entity", "relation", "contradictory", "invented", "subjective",
                      "unverifiable", "Keep", "Drop"),
}  # fmt: skip


def browser(profile: Path) -> webdriver.Chrome:
    """Headless Chromium with a fresh profile, driven by Debian's chromedriver."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def log_in(driver: webdriver.Chrome, url: str) -> None:
    """Log in through the login form, as a person would."""
    driver.get(f"{url}/user/login/")
    WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.NAME, "email")))
    driver.find_element(By.NAME, "email").send_keys(ADMIN_EMAIL)
    driver.find_element(By.NAME, "password").send_keys(ADMIN_PASSWORD)
    driver.find_element(
        By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]"
    ).click()
    WebDriverWait(driver, 60).until(lambda d: "/user/login" not in d.current_url)


def expected_texts(item: Item) -> list[str]:
    """The record's texts the page must show: question, options, paragraph, or the text."""
    fields = display_fields(item)
    keys = {
        "mcq": ("question", "option_a", "option_b", "option_c", "option_d"),
        "instruction": ("instruction", "output", "source_instruction"),
        "hallucination": ("text",),
    }[item.kind]
    return [fields[k] for k in keys]


def check_task(
    driver: webdriver.Chrome, url: str, project_id: int, task_id: int, item: Item, shot: Path
) -> dict[str, object]:
    """Open one task in the labeling view; report what is missing and save a screenshot.

    For a hallucination sample the pre-filled spans must also be highlighted over exactly
    their text (this is what caught Label Studio counting offsets in code points).
    """
    page_url = f"{url}/projects/{project_id}/data?tab=0&task={task_id}"
    driver.get(page_url)
    wanted = [*expected_texts(item), *CONTROLS[item.kind]]
    missing: list[str] = wanted
    started = time.monotonic()
    reloaded = False
    while time.monotonic() - started < 90 and missing:
        time.sleep(2)
        page = driver.find_element(By.TAG_NAME, "body").text
        missing = [w for w in wanted if w not in page]
        if missing and not reloaded and time.monotonic() - started > 20:
            driver.get(page_url)  # the data manager sometimes shows the list first
            reloaded = True
    highlighted = None
    if isinstance(item.record, HallucinationSample):
        time.sleep(1)
        marks = driver.find_elements(By.CSS_SELECTOR, "span.htx-highlight")
        highlighted = [m.text.strip() for m in marks]
        spans = [item.record.text[s.start : s.end] for s in item.record.spans]
        missing += [f"highlight {s!r} (got {highlighted})" for s in spans if s not in highlighted]
    time.sleep(1)
    shot.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(shot))
    return {
        "task": task_id,
        "record": item.id,
        "language": item.language,
        "checked": len(wanted),
        "missing": missing,
        "highlighted_spans": highlighted,
        "screenshot": str(shot),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "babelforge-browser-check"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    store = build_run(out / f"run-{stamp}")
    data = fresh_data_dir(out / f"label-studio-{stamp}")
    config = GoldConfig(project_prefix="browser", per_stratum=1)
    results: dict[str, object] = {}
    with LocalLabelStudio(data_dir=data) as server:
        client = GoldClient(Connection(server.url, SecretStr(server.token)))
        sample = stratified_sample(store, config)
        pushed = push_sample(client, store, config, sample, RUN_NAME)
        with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
            driver = browser(Path(profile))
            try:
                log_in(driver, server.url)
                for kind, push in pushed.kinds.items():
                    refs = client.task_refs(push.project_id)
                    items = [i for i in sample.items if i.kind == kind]
                    # the German hallucination sample has an emoji before its span
                    item = max(items, key=lambda i: (i.language == "de", i.keep))
                    shot = Path(store.root) / "browser" / f"{kind}.png"
                    results[kind] = check_task(
                        driver, server.url, push.project_id, refs[item.id].task_id, item, shot
                    )
                    log.info("%s: %s", kind, results[kind])
            except TimeoutException as e:
                log.error("the page did not load: %s", e.msg)
                return 1
            finally:
                driver.quit()
    store.write_json("browser/check.json", results)
    failed = [k for k, r in results.items() if r["missing"]]  # type: ignore[index]
    print(f"screenshots and check.json in {Path(store.root) / 'browser'}")
    if failed or len(results) != 3:
        print(f"FAILED: missing on the page for {failed or 'some kinds'}")
        return 1
    print("every label config rendered its texts, options and controls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
