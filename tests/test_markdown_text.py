"""Form-derived text in Markdown elements is shown as text (issue 14): no image fetched, no link, no bold, no code
span broken out of. md_text / md_code are checked with a CommonMark renderer, then the pages through AppTest on a
database whose indicator, project and file names are Markdown payloads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from app_support import sample_db_with
from formtext import project_form
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from dashboard.ui import PAGES
from dashboard.ui.text import md_code, md_text

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
BEACON = "![信标](http://x/b.png) **粗** `code`"
PROJECT = "[点我](http://x/) _斜_ ~~删~~"
FILE_NAME = "自评`表` **粗**.txt"
UNIT = "武威市教育局"
HOSTILE_UNIT = "[链接](http://x/)**粗**局"

PAYLOADS = [
    BEACON,
    PROJECT,
    "# 标题",
    "1. 第一项",
    "- 列表",
    "+ 列表",
    "* 列表",
    "> 引用",
    "---",
    "===",
    "    缩进四格成代码块",
    "<img src=x onerror=alert(1)>",
    "&lt;script&gt;",
    ":red[红字] :material/home: $x^2$",
    "a | b | c",
    "反斜杠 \\*不是强调\\*",
    "行一\n## 行二\n3) 行三",
    "http://x/b.png www.example.com",
]

_md = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered(markdown: str) -> str:
    return _md.render(markdown)


def text_of(html: str) -> str:
    """The visible text of rendered HTML (tags dropped, the few entities markdown-it writes undone)."""
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_renders_as_exactly_its_text(payload):
    html = rendered(md_text(payload))
    # One paragraph (or one per line), nothing else: no image, link, emphasis, code, heading, list, quote, table.
    tags = set(re.findall(r"<(/?[a-z0-9]+)", html))
    assert tags <= {"p", "/p", "br"}, (payload, html)
    shown = " ".join(text_of(html).split())
    assert shown == " ".join(payload.replace("\u00a0", " ").split()), (payload, html)


def test_md_text_keeps_ordinary_text_and_figures_unchanged():
    for text in ("群众来电咨询接听率", "96.50", "-0.50", "≥95%", "100%", "4分", "第12行", "（未填写）"):
        assert md_text(text) == text


def test_md_text_breaks_gfm_autolinks():
    """GFM (Streamlit's renderer, not the CommonMark one above) links bare URLs: their `://` and `www.` are broken."""
    escaped = md_text("见 http://x/b.png 与 https://y 和 WWW.example.com")
    assert (
        not re.search(r"(?<!\\)://", escaped) and "http\\://x/b.png" in escaped and "https\\://y" in escaped
    )
    assert "WWW\\.example.com" in escaped and not re.search(r"(?i)www\.", escaped)


@pytest.mark.parametrize("name", ["a`b`.txt", "``x``.txt", "`lead", "trail`", "x ``` y", "plain.txt"])
def test_md_code_is_one_code_span_whatever_backticks_it_holds(name):
    html = rendered(f"**来源**：{md_code(name)} 之后")
    assert html.count("<code>") == 1
    code = re.search(r"<code>(.*?)</code>", html).group(1)
    assert text_of(code) == name
    assert html.rstrip().endswith("之后</p>")  # nothing after the span was swallowed into it


# -- the pages -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = project_form(unit=UNIT, project=PROJECT).replace("安保人员", BEACON)
    text = text.replace("无偏差", BEACON, 1)  # the deviation note of that indicator
    texts = {FILE_NAME: text, "unit.txt": project_form(unit=HOSTILE_UNIT, supervisor=HOSTILE_UNIT)}
    return sample_db_with(tmp_path_factory.mktemp("mddb"), texts, "md.duckdb")


@pytest.fixture()
def hostile_env(hostile_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JIXIAO_DB", str(hostile_db))
    monkeypatch.setenv("JIXIAO_NO_WARMUP", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield hostile_db
    st.cache_data.clear()
    st.cache_resource.clear()


def hostile_ids(db: Path) -> tuple[int, int, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        report_id, indicator_id, level3, project = con.execute(
            "select r.report_id, i.indicator_id, i.level3, r.project from indicators i join reports r "
            "using (report_id) where i.level3 like '%信标%'"
        ).fetchone()
    finally:
        con.close()
    assert BEACON in level3 and project == PROJECT  # the payloads were stored as written
    return report_id, indicator_id, level3


def open_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page][0])
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_bodies(at: AppTest) -> list[str]:
    """Every element whose body Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "subheader", "title", "header", "info", "warning", "error", "success")
    bodies = [e.value for kind in kinds for e in at.get(kind)]
    bodies += [m.label for m in at.metric] + [m.value for m in at.metric]
    return [str(b) for b in bodies]


def assert_no_markup(bodies: list[str]) -> None:
    for body in bodies:
        html = rendered(body)
        assert "<img" not in html and "<a " not in html, body
        if "信标" in body or "点我" in body:
            assert "<em>" not in html and "<strong>粗" not in html and "<del>" not in html, body


def test_drilldown_shows_a_markdown_indicator_name_as_text(hostile_env):
    report_id, indicator_id, level3 = hostile_ids(hostile_env)
    at = open_page("drilldown", unit=UNIT, year="2022", form=str(report_id), indicator=str(indicator_id))
    heading = at.subheader[0].value
    assert heading == md_text(level3)
    assert "\\!\\[信标\\]" in heading and "\\*\\*粗\\*\\*" in heading and "\\`code\\`" in heading
    assert text_of(rendered(heading)).strip() == level3  # what the viewer sees: the name as written
    source = next(m.value for m in at.markdown if "来源" in m.value)
    code = re.findall(r"<code>(.*?)</code>", rendered(source))
    assert len(code) == 1 and re.search(rf"/{re.escape(FILE_NAME)} 第\d+行$", text_of(code[0]))  # one span
    assert any(BEACON in t.value for t in at.text)  # the deviation note: a text element, shown as written
    assert_no_markup(markdown_bodies(at))


def test_review_page_shows_a_markdown_project_name_as_text(hostile_env):
    at = open_page("review", year="2022", units=UNIT)  # the unit's one form is the one picked first
    heading = at.subheader[0].value
    assert heading == f"触发明细：{UNIT} 2022年｜{md_text(PROJECT)}"
    assert text_of(rendered(heading)).strip() == f"触发明细：{UNIT} 2022年｜{PROJECT}"
    assert_no_markup(markdown_bodies(at))


def test_overview_caption_shows_a_markdown_unit_name_as_text(hostile_env):
    at = open_page("overview", year="2022", units=HOSTILE_UNIT)
    caption = next(c.value for c in at.caption if c.value.startswith("口径："))
    assert md_text(HOSTILE_UNIT) in caption and HOSTILE_UNIT not in caption
    assert HOSTILE_UNIT in text_of(rendered(caption))
    assert_no_markup(markdown_bodies(at))
    for body in markdown_bodies(at):
        assert "<a " not in rendered(body) and "<strong>粗" not in rendered(body), body


# -- every Markdown element of the pages ---------------------------------------------------------------------------

MARKDOWN_ELEMENTS = {
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "title",
}
MARKDOWN_ELEMENTS |= {"header", "write"}
# What a page may put into a Markdown element without md_text: its own words and numbers (the year of the
# selection, counts, labels' constants and number formats, the import limits).
PAGE_OWN = re.compile(
    r"^(sel\.year|len\(.*\)|labels\.[A-Z_]+|labels\.(as_int|fmt_\w+)\(.*\)|labels\.STATUS_LABELS\.get\(.*\)"
    r"|imp\.[A-Z_]+|'、'\.join\(imp\.TYPES\)|real_year|only|real)$"
)


def _shown_as_text(node) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in {
        "md_text",
        "md_code",
    }:
        return True
    if isinstance(node, ast.JoinedStr):
        return all(
            _shown_as_text(v.value) or PAGE_OWN.match(ast.unparse(v.value))
            for v in node.values
            if isinstance(v, ast.FormattedValue)
        )
    if isinstance(node, ast.BinOp):
        return all(_shown_as_text(x) or PAGE_OWN.match(ast.unparse(x)) for x in (node.left, node.right))
    if isinstance(node, ast.IfExp):
        return _shown_as_text(node.body) and _shown_as_text(node.orelse)
    return False


def test_every_markdown_element_of_the_pages_gets_text_through_md_text():
    """A new `st.subheader(row["unit"])` fails here: wrap the value in ui.md_text (or md_code in a code span)."""
    root = Path(__file__).resolve().parents[1] / "dashboard"
    unsafe, seen = [], 0
    for path in sorted([*root.joinpath("views").glob("*.py"), *root.joinpath("ui").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_element = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if is_element and node.func.attr in MARKDOWN_ELEMENTS and node.args:
                seen += 1
                if not _shown_as_text(node.args[0]):
                    unsafe.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node.args[0])[:80]}")
    assert seen > 50  # the scan sees the pages' elements
    assert not unsafe, unsafe
