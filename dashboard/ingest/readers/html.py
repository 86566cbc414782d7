"""Saved web pages (.html, .htm, and .mhtml/.mht single-file archives): every data table and the text between.

Government sites publish the self-evaluation as an HTML table inside a layout of nested tables, menus and
page chrome. A table holding other tables is layout: its cells are read as text blocks and the tables inside
it as tables. rowspan/colspan are expanded like merged cells in a sheet (a vertical span repeats its text, a
horizontal one keeps it in its first column). Scripts, styles, navigation and the usual article chrome
(发布时间, 字体：大 中 小, 打印本页) are dropped. The charset comes from the BOM, the HTTP-equiv or HTML5 meta
tag, or else UTF-8 with a GB18030 fallback.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from dashboard.ingest.errors import IngestError
from dashboard.ingest.limits import check_text_size
from dashboard.ingest.model import Row
from dashboard.ingest.readers.grid import Merge, expand_merges
from dashboard.ingest.readers.text import Decoded, note_decoded
from dashboard.ingest.values import clean_cell

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_DROP = {"script", "style", "noscript", "template", "nav", "select", "option", "button", "iframe", "head"}
_BLOCK = {
    "p", "div", "section", "article", "main", "aside", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "center", "form", "td", "th", "tr", "caption",
    "figure", "figcaption", "address", "hr", "body", "html", "font-block",
}  # fmt: skip
# Article chrome: publication line, font-size switches, print/close/share links, visit counters.
_CHROME = re.compile(
    r"^(?:发布时间|发布日期|来源|信息来源|作者|浏览次数|阅读次数|访问量|点击数|字体|字号|【?\s*打印|打印本页|关闭窗口|"
    r"分享到|扫一扫|当前位置|您当前的位置|首页\s*[>＞›]|上一篇|下一篇|【\s*大\s*】)"
)


def _charset(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    # GB2312 and GBK pages routinely hold characters outside their nominal set; GB18030 is their superset.
    return "gb18030" if name in {"gb2312", "gbk", "gb18030", "x-gbk", "cp936"} else name


def decode_html(data: bytes, path: str | Path) -> str:
    check_text_size(path, data)
    if not data.strip():
        raise IngestError(path, "文件为空")
    declared = _charset(data)
    for encoding in [e for e in (declared, "utf-8-sig", "gb18030") if e]:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        note_decoded(Decoded(text, encoding))
        return text
    raise IngestError(path, "无法识别网页编码（已尝试网页声明的编码、UTF-8、GB18030）")


def _mhtml_html(data: bytes, path: str | Path) -> str:
    """The first text/html part of a saved single-file page (MIME, usually quoted-printable)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if charset and charset.lower() in {"gb2312", "gbk"}:
                charset = "gb18030"
            if charset:
                try:
                    text = payload.decode(charset)
                    note_decoded(Decoded(text, charset.lower()))
                    return text
                except (UnicodeDecodeError, LookupError):
                    pass
            return decode_html(payload, path)
    raise IngestError(path, "网页存档（.mhtml）中没有网页正文")


def _cell_text(el) -> str:
    """A cell's text as a person reads it: <br> and paragraphs are line breaks, other whitespace one space."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP:
            if node.tail:
                parts.append(node.tail)
            return
        if tag == "br" or tag in {"p", "div", "li"} and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in {"p", "div", "li"}:
            parts.append("\n")
        if node.tail and node is not el:
            parts.append(node.tail)

    walk(el)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parts).split("\n")]
    return clean_cell("\n".join(line for line in lines if line))


def _own_rows(table) -> list:
    """The table's own <tr> (directly or through thead/tbody/tfoot), not those of tables nested in it."""
    out = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            out.append(child)
        elif tag in {"thead", "tbody", "tfoot"}:
            out.extend(c for c in child if isinstance(c.tag, str) and c.tag == "tr")
    return out


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), 500))
    except ValueError:
        return 1


def table_matrix(table) -> tuple[list[list[str]], list[Merge]]:
    """The table as a grid, spans expanded (HTML's row-filling rules: a cell goes to the first free column)."""
    grid: dict[tuple[int, int], str] = {}
    merges: list[Merge] = []
    rows = _own_rows(table)
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in {"td", "th"}:
                continue
            while (r, c) in grid:
                c += 1
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            rs = min(rs, len(rows) - r)
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = ""
            grid[(r, c)] = _cell_text(cell)
            if rs > 1:
                merges.append(Merge(r, c, r + rs - 1, c + cs - 1))
            c += cs
    if not grid:
        return [], []
    width = max(c for _, c in grid) + 1
    matrix = [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]
    return matrix, merges


def _is_chrome(text: str) -> bool:
    return bool(_CHROME.match(text)) or bool(
        re.fullmatch(r"[【\[]?\s*[大中小]\s*[】\]]?(\s*[【\[]?\s*[大中小]\s*[】\]]?)+", text)
    )


def page_rows(html: str) -> list[Row]:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml refuses documents that are empty after parsing
        return []
    rows: list[Row] = []
    buffer: list[str] = []
    state = {"line": 0, "table": 0}

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(buffer)).strip()
        buffer.clear()
        if text and not _is_chrome(text):
            state["line"] += 1
            rows.append(Row([clean_cell(text)], state["line"], f"第{state['line']}段"))

    def emit_table(table) -> None:
        matrix, merges = table_matrix(table)
        expand_merges(matrix, merges)
        state["table"] += 1
        for r, cells in enumerate(matrix, start=1):
            if any(c.strip() for c in cells):
                state["line"] += 1
                rows.append(Row(list(cells), state["line"], f"表{state['table']}第{r}行"))

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP or not tag:
            if node.tail:
                buffer.append(node.tail)
            return
        if tag == "table":
            flush()
            nested = any(True for _ in node.iterdescendants("table"))
            if nested:  # layout: its cells are blocks, its inner tables tables
                for child in node.iter("td", "th"):
                    if child.getparent() is not None and _closest_table(child) is node:
                        walk_children(child)
                        flush()
            else:
                emit_table(node)
            if node.tail:
                buffer.append(node.tail)
            return
        block = tag in _BLOCK
        if block or tag == "br":
            flush()
        walk_children(node)
        if block:
            flush()
        if node.tail:
            buffer.append(node.tail)

    def walk_children(node) -> None:
        if node.text:
            buffer.append(node.text)
        for child in node:
            walk(child)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return rows


def _closest_table(node):
    parent = node.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def read_html(path: str | Path, data: bytes) -> list[Row]:
    if Path(path).suffix.lower() in {".mhtml", ".mht"} or data.lstrip()[:12].lower().startswith(
        b"mime-version"
    ):
        html = _mhtml_html(data, path)
    else:
        html = decode_html(data, path)
    rows = page_rows(html)
    if not rows:
        raise IngestError(path, "网页中没有可读的文字或表格")
    return rows
