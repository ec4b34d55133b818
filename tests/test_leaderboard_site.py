"""The static leaderboard site: written by `leaderboard build`, readable offline, every row linked to its
run, marks rendered when the tables carry them, and (in headless Debian Chromium) columns that sort on click."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ravar_bench.leaderboard import site
from ravar_bench.leaderboard.build import build_leaderboards
from ravar_bench.leaderboard.tables import Table
from ravar_bench.testing.runs import write_fake_run

REPORTED = Path(__file__).resolve().parents[1] / "leaderboards" / "reported.json"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
# Test mAP of each submission; the main table lists them by group (AAL, VTR, Ours), not by this order.
TEST_MAP = {"I3D": 0.31, "BLIPv2": 0.47, "RefAtomNet": 0.42, "X3D": 0.12}
GROUPS = {"I3D": "AAL", "X3D": "AAL", "BLIPv2": "VTR", "RefAtomNet": "Ours"}


class Links(HTMLParser):
    """Every href/src in a page, and the tags that would load something from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.refs += [v for k, v in found.items() if k in ("href", "src") and v]
        if (tag == "script" and "src" in found) or (tag == "link" and found.get("rel") == "stylesheet"):
            self.external.append(tag)


OURS_TABLES = ("main", "ablation_modules", "ablation_fusion")  # the full model is a row of Table 3 too


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A built leaderboard folder from four submissions (val and test), one of them with per-class AP."""
    results = tmp_path / "results"
    for n, (name, test_map) in enumerate(TEST_MAP.items()):
        for split, value in (("val", test_map - 0.05), ("test", test_map)):
            write_fake_run(results, f"baselines/{name.lower()}", split, {"mIoU": 0.2, "mAP": value, "AUROC": 0.6},
                           display_name=name, group=GROUPS[name], run_id=f"{n:06d}{split:0>6}",
                           tables=OURS_TABLES if name == "RefAtomNet" else ("main",))
    path = next(results.rglob("refatomnet/refava-synth/test/clean/*/results.json"))
    data = json.loads(path.read_text())
    data["metrics"]["per_class_ap"] = {str(c): (0.5 if c == 12 else None) for c in range(1, 81)}
    path.write_text(json.dumps(data))
    out = tmp_path / "lb"
    build_leaderboards([results], out, REPORTED)
    return out / "refava-synth" / "cpu"


def test_build_writes_an_offline_page_whose_run_links_resolve(board: Path) -> None:
    page = (board / "index.html").read_text()
    parser = Links()
    parser.feed(page)
    assert parser.external == [] and not re.search(r"\b(src|href)=\"(https?:)?//", page)
    targets = [ref.split("#")[0] for ref in parser.refs if not ref.startswith("#")]
    run_links = [ref for ref in parser.refs if ref.startswith("runs.jsonl#")]
    # Main table: every submission's val and test run; each Table 3 half repeats the Ours row's two.
    assert len(run_links) == 2 * len(TEST_MAP) + 2 * 2
    assert all((board / ref).resolve().is_file() for ref in targets)
    assert "reported (paper, RefAVA): Table 2" in page  # the paper's numbers beside ours


def test_cells_split_into_value_interval_and_mark() -> None:
    assert site.parse_cell("55.98 (52.10-58.30)") == site.Cell("55.98", 55.98, "52.10-58.30", None)
    assert site.parse_cell("55.98 (52.10-58.30) *") == site.Cell("55.98", 55.98, "52.10-58.30", "*")
    assert site.parse_cell("+1.20") == site.Cell("+1.20", 1.2)
    assert site.parse_cell("-") == site.Cell("-") and site.parse_cell("n/a") == site.Cell("n/a")
    assert site.parse_cell("RefAtomNet") == site.Cell("RefAtomNet")


def test_a_mark_carried_by_the_table_is_rendered_as_a_superscript(tmp_path: Path) -> None:
    table = Table("Marked", ["Method", "test mAP"], ["Method", "test mAP"])
    table.add(["A", "51.00 (46.00-56.00) †"], ["A", "51.0"])
    table.add(["B", "40.00 (35.00-45.00)"], ["B", "40.0"])
    page = site.render_page([site.Section("Main results", [table])], "d", "cpu").decode()
    assert page.count('<sup class="mark">') == 1 and '<sup class="mark">†</sup>' in page


@pytest.fixture
def browser(tmp_path: Path):
    """Headless Debian Chromium through selenium and the Debian chromedriver (no browser download)."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("BROWSER TEST NOT RUN: Debian packages chromium and chromium-driver are not installed "
                    "(apt-get install -y chromium chromium-driver; .ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="BROWSER TEST NOT RUN: selenium is not installed "
                                    "(pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def column(driver, table, header: str) -> list[str]:
    """The texts of one column of a table, in DOM order."""
    from selenium.webdriver.common.by import By

    names = [th.text.strip() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    col = names.index(header) + 1
    return [td.text for td in table.find_elements(By.CSS_SELECTOR, f"tbody tr td:nth-child({col})")]


def test_browser_sorts_a_column_on_click_and_shows_details(board: Path, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((board / "index.html").as_uri())
    table = browser.find_element(By.CSS_SELECTOR, "#main-results table.board")
    assert column(browser, table, "Method") == ["I3D", "X3D", "BLIPv2", "RefAtomNet"]  # group order
    header = next(th for th in table.find_elements(By.CSS_SELECTOR, "thead th") if th.text.strip() == "test mAP")
    header.find_element(By.TAG_NAME, "button").click()
    by_map = sorted(TEST_MAP, key=TEST_MAP.get, reverse=True)
    assert column(browser, table, "Method") == by_map and header.get_attribute("aria-sort") == "descending"
    assert [float(t.split()[0]) for t in column(browser, table, "test mAP")] == [100 * TEST_MAP[m] for m in by_map]
    header.find_element(By.TAG_NAME, "button").click()
    assert column(browser, table, "Method") == by_map[::-1] and header.get_attribute("aria-sort") == "ascending"

    row = next(tr for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr") if "RefAtomNet" in tr.text)
    row.find_element(By.CLASS_NAME, "details-button").click()
    panel = browser.find_element(By.CSS_SELECTOR, "#main-results .details")
    assert panel.is_displayed() and "12 stand" in panel.text and "50.0" in panel.text
    screenshot = tmp_path / "leaderboard.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {screenshot}")
