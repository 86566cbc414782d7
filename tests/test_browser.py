"""The dashboard in a real browser: `streamlit run` on a free port, headless Debian Chromium through Playwright.

What AppTest cannot see: charts painting, clicks on a chart, page switches keeping the URL filters, a downloaded
PNG. Runs on the real sample plus the default demo corpus (≈40 units × 6 years) and prints the server time of
every interaction (the app logs each script run with JIXIAO_TIMINGS=1); no timed assertions. Screenshots go to
test-artifacts/browser/. Run alone with `pytest -m browser`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from dashboard.db import connect, run_query
from dashboard.load import ingest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOTLINE = "群众来电咨询接听率"
SAMPLE_UNIT = "武威市政府政务服务中心"
PAGES = ["overview", "ranking", "distribution", "drilldown", "watchlist", "compare", "quality", "import"]

if not Path(CHROMIUM).exists():
    pytest.skip("needs Debian's chromium (make system-deps)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 1000},
        "accept_downloads": True,
        "locale": "zh-CN",
    }


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The real sample plus the default demo corpus, as `jixiao app` builds it."""
    folder = tmp_path_factory.mktemp("browser")
    sources: list[Path] = [ROOT / "data" / "raw"]
    try:
        from dashboard.demo import ensure_default_corpus
    except ImportError:  # the app then runs on the real sample alone
        pass
    else:
        sources.append(ensure_default_corpus(folder / "demo"))
    db = folder / "app.duckdb"
    summary = ingest(sources, db)
    assert not summary.failed, [f.error for f in summary.failed]
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._offset = 0
        env = {**os.environ, "JIXIAO_DB": str(db), "JIXIAO_TIMINGS": "1"}
        self._out = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise TimeoutError("streamlit did not answer /_stcore/health")

    def new_runs(self) -> list[tuple[str, float, float]]:
        """(page, run ms, query ms) of the script runs logged since the last call."""
        text = self.log.read_text(errors="replace")
        fresh, self._offset = text[self._offset :], len(text)
        return [
            (m[1], float(m[2]), float(m[3]))
            for m in re.finditer(
                r"jixiao-timing page=(\S+) run_ms=([\d.]+) queries=\d+ query_ms=([\d.]+)", fresh
            )
        ]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._out.close()


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    s = Server(demo_db, tmp_path_factory.mktemp("log") / "streamlit.log")
    try:
        s.wait_healthy()
        yield s
    finally:
        s.stop()


class Timings:
    """Server time per interaction, printed at the end (the issue asks for < 1 s; not asserted)."""

    def __init__(self, server: Server):
        self.server = server
        self.rows: list[tuple[str, float, float, float]] = []

    def record(self, what: str, client_s: float) -> None:
        runs = self.server.new_runs()
        self.rows.append(
            (what, sum(r[1] for r in runs), max((r[1] for r in runs), default=0.0), client_s * 1000)
        )

    def report(self) -> str:
        lines = [f"{'interaction':46s} {'server ms':>10s} {'longest run':>12s} {'browser ms':>11s}"]
        lines += [f"{w:46s} {s:10.0f} {m:12.0f} {c:11.0f}" for w, s, m, c in self.rows]
        return "\n".join(lines)


@pytest.fixture(scope="module")
def timings(server):
    t = Timings(server)
    yield t
    print("\n[browser] server time per interaction (demo corpus):\n" + t.report())
    out = Path(__file__).resolve().parents[1] / "test-artifacts" / "benchmarks"  # for BENCHMARKS.md
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"interaction": w, "server_ms": s, "longest_run_ms": m, "browser_ms": c} for w, s, m, c in t.rows]
    (out / "browser_timings.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def wait_idle(page, timeout: float = 30_000) -> None:
    """Until Streamlit has finished the script run the last action started."""
    page.wait_for_timeout(150)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_timeout(100)


def act(page, timings: Timings, what: str, action) -> None:
    started = time.perf_counter()
    action()
    wait_idle(page)
    timings.record(what, time.perf_counter() - started)


def wait_for_path(page, path: str) -> None:
    """Streamlit switches pages in the browser (history.pushState), without a load event."""
    page.wait_for_function(f"() => location.pathname.endsWith({path!r})", timeout=15_000)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def query(db: Path, name: str, **params):
    con = connect(db)
    try:
        return run_query(name, con=con, **params)
    finally:
        con.close()


# English Streamlit and Plotly put on screen unless told otherwise (issue 13), and raw missing values.
ENGLISH = (
    "Drag and drop",
    "Browse files",
    "per file",
    "Press Enter",
    "Fullscreen",
    "Made with Streamlit",
    "Record screen",
    "Download plot",
    "Stop",
    "Upload",
)
RAW_MISSING = re.compile(r"\b(None|nan|NaN)\b")


def visible_text(page) -> str:
    return page.locator("[data-testid=stApp]").inner_text()


@pytest.mark.parametrize("dataset", ["", "?dataset=" + quote("全部（真实 + 示例）")])
def test_every_page_renders_in_chinese_without_raw_missing_values(page, server, timings, dataset):
    page.set_viewport_size({"width": 1440, "height": 2400})  # the page scrolls inside Streamlit's container
    for name in PAGES:
        path = "" if name == "overview" else name
        act(page, timings, f"open {name}", lambda p=path: page.goto(f"{server.url}/{p}{dataset}"))
        assert page.get_by_text("Traceback").count() == 0
        if name == "compare" and not dataset:  # the real sample has one year: an empty state, no chart
            assert "没有可对比的年度" in visible_text(page)
        elif name != "import":
            page.locator(".js-plotly-plot .main-svg").first.wait_for()
        text = visible_text(page)
        assert not RAW_MISSING.search(text), (name, RAW_MISSING.search(text))
        assert not [w for w in ENGLISH if w in text], name
        assert page.locator(".modebar").count() == 0  # Plotly's English mode bar is off
        shot(page, f"page-{name}" + ("-all" if dataset else ""))
    page.set_viewport_size({"width": 1440, "height": 1000})


def test_the_real_sample_leads_with_its_reported_scores(page, server, timings):
    act(page, timings, "open overview (default: real data)", lambda: page.goto(server.url))
    page.get_by_text("平均核算得分").wait_for()
    text = visible_text(page)
    assert "示例数据：当前视图包含" not in text  # real forms exist: the default view is theirs
    assert "88.25分" in text and "98.25分" in text  # 平均自评得分 beside 平均核算得分


def test_the_demo_ranking_tells_units_apart_by_grade(page, server, timings):
    url = f"{server.url}/ranking?year=2024&dataset={quote('示例数据')}"
    act(page, timings, "open ranking 2024 (demo)", lambda: page.goto(url))
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    fills = page.locator(".js-plotly-plot .barlayer .point path").evaluate_all(
        "paths => paths.map(p => p.style.fill)"
    )
    assert len(set(fills)) > 1, set(fills)
    assert "良（80–90分）" in page.locator(".js-plotly-plot").first.inner_html()


def test_ranking_click_drill_down_to_the_hotline_and_export_png(page, server, timings, demo_db):
    act(page, timings, "open ranking 2022", lambda: page.goto(f"{server.url}/ranking?year=2022"))
    chart = page.locator(".js-plotly-plot").first
    chart.locator(".main-svg").first.wait_for()
    assert chart.locator(".barlayer .point").count() >= 1  # the ranking bars painted (real data: one unit)
    shot(page, "ranking-2022")

    ranking = query(demo_db, "department_ranking", year=2022, dataset="real")  # the default view
    ranked = (
        ranking[ranking["metric_value"].notna()].sort_values("rank", kind="stable").reset_index(drop=True)
    )
    index = int(ranked.index[ranked["unit"] == SAMPLE_UNIT][0])
    bar = chart.locator(".barlayer .trace").first.locator(".point").nth(index).locator("path")
    bar.scroll_into_view_if_needed()

    def click_bar() -> None:
        # Plotly's drag layer sits on top of the bars, and a bar starts left of the visible axis range:
        # click near the bar's end, where a user would.
        box = bar.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 12, box["y"] + box["height"] / 2)

    act(page, timings, "click a unit's bar -> drill-down", click_bar)
    wait_for_path(page, "/drilldown")
    assert parse_qs(urlsplit(page.url).query)["unit"] == [SAMPLE_UNIT]
    assert parse_qs(urlsplit(page.url).query).get("year", ["2022"]) == ["2022"]  # came along (or the default)
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    shot(page, "drilldown-unit")

    def pick_hotline() -> None:
        page.get_by_label("指标", exact=True).click()
        page.keyboard.type(HOTLINE)  # the option list is long and virtualized: filter it as a user would
        page.get_by_role("option", name=re.compile(f"^{HOTLINE}｜政务服务经费")).click()

    act(page, timings, "pick the hotline indicator", pick_hotline)
    assert page.get_by_role("heading", name=HOTLINE).count() == 1
    assert "indicator=" in page.url  # the view is in the URL, so the link can be shared
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    svg = page.locator(".js-plotly-plot .main-svg").first.inner_html()
    assert "87%" in svg and "100%" in svg
    shot(page, "drilldown-hotline")

    started = time.perf_counter()
    with page.expect_download() as info:  # the server-side export (kaleido): the export width, scale 2
        page.locator("[data-testid=stDownloadButton]").get_by_role("button", name="PNG").first.click()
    download = info.value
    data = Path(download.path()).read_bytes()
    timings.rows.append(
        ("export the indicator chart as PNG (kaleido)", 0.0, 0.0, (time.perf_counter() - started) * 1000)
    )
    assert png_size(data) == (1200 * 2, 420 * 2)  # the export width, the figure's height, scale 2
    assert download.suggested_filename == f"指标_{SAMPLE_UNIT}_{HOTLINE}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hotline-export.png").write_bytes(data)


def test_filters_survive_page_switches_and_links(page, server, timings):
    url = f"{server.url}/watchlist?year=2022&dataset={quote('真实数据')}&q={quote('热线')}"
    act(page, timings, "open watchlist: real data, keyword 热线", lambda: page.goto(url))
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert HOTLINE in page.locator(".js-plotly-plot").first.inner_html()
    assert page.get_by_text("示例数据：当前视图包含").count() == 0  # real data alone: no demo marker
    shot(page, "watchlist-hotline")

    act(page, timings, "switch page -> 部门排名", lambda: page.get_by_role("link", name="部门排名").click())
    params = parse_qs(urlsplit(page.url).query)
    assert params.get("dataset", ["真实数据"]) == [
        "真实数据"
    ]  # the sidebar filters came along (or the default)
    assert params.get("year", ["2022"]) == ["2022"]  # (2022 is the only real year: the default, left out)
    assert "q" not in params  # page parameters stay with their page
    assert page.get_by_role("heading", name="部门排名 · 2022年").count() == 1

    def choose(label: str, option: str) -> None:
        page.get_by_label(label, exact=True).click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).click()

    act(page, timings, "change the dataset filter", lambda: choose("数据集", "全部（真实 + 示例）"))
    act(page, timings, "change the year filter", lambda: choose("年度", "2021"))
    page.wait_for_function("() => location.search.includes('year=2021')")
    assert page.get_by_role("heading", name="部门排名 · 2021年").count() == 1
    act(page, timings, "change the ranking metric", lambda: choose("排名依据", "预算执行率"))
    page.wait_for_function("() => location.search.includes('metric=execution_rate')")
    act(page, timings, "reload the copied link", lambda: page.goto(page.url))
    assert page.get_by_role("heading", name="部门排名 · 2021年").count() == 1
    assert "预算执行率" in page.locator(".js-plotly-plot").first.inner_html()
    shot(page, "ranking-2021-execution-rate")


def test_demo_marker_is_visible_with_synthetic_data(page, server, timings):
    url = f"{server.url}/?dataset={quote('全部（真实 + 示例）')}"  # demo data is an explicit choice
    act(page, timings, "open overview (all data)", lambda: page.goto(url))
    if page.get_by_text("只看真实数据").count():  # the demo corpus is there
        assert page.get_by_text("示例数据：当前视图包含").count() == 1
        assert "示例数据" in page.locator(".js-plotly-plot").first.inner_html()
        act(
            page,
            timings,
            "click 只看真实数据",
            lambda: page.get_by_role("button", name="只看真实数据").click(),
        )
        assert page.get_by_text("示例数据：当前视图包含").count() == 0
        assert HOTLINE in page.locator(".js-plotly-plot").nth(1).inner_html()
        shot(page, "overview-real-sample")


def test_import_preview_on_the_staged_copy_then_discard(page, server, timings, demo_db, tmp_path):
    """Two uploads that only together raise a finding: the preview (the ordinary queries on the staged copy)
    shows the forms, the cross-form finding and the ranking effect; 放弃 leaves the database as it was."""
    from tests.formtext import project_form
    from tests.query_corpus import department_form

    unit = "武威市教育局"
    files = [tmp_path / "edu_dept_2022.txt", tmp_path / "edu_safety_2022.txt"]
    files[0].write_text(department_form(unit, 2022), encoding="utf-8")
    files[1].write_text(project_form(unit, 2022, "校园安全经费", unit), encoding="utf-8")
    before = demo_db.stat().st_mtime_ns
    act(page, timings, "open import", lambda: page.goto(f"{server.url}/import"))
    act(
        page,
        timings,
        "upload two forms -> staged preview",
        lambda: page.set_input_files("input[type=file]", files),
    )
    page.get_by_text("对单位排名的影响").wait_for(timeout=30_000)
    assert page.get_by_text("以下为写入数据库副本后的结果").count() == 1
    assert page.get_by_text("核查发现", exact=False).count() >= 1
    page.set_viewport_size({"width": 1440, "height": 2000})
    shot(page, "import-preview")
    page.set_viewport_size({"width": 1440, "height": 1000})
    act(page, timings, "放弃", lambda: page.get_by_role("button", name="放弃").click())
    page.get_by_text("对单位排名的影响").wait_for(state="detached", timeout=30_000)
    assert demo_db.stat().st_mtime_ns == before
    assert not list(demo_db.parent.glob(f".{demo_db.name}.stage-*"))
