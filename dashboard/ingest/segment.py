"""Split a file's cell stream into one slice per form.

A form starts at its title (`2022年…绩效自评表`, `项目支出绩效自评表 (2022年度)`, wherever it sits in the stream,
even inside a line that runs a whole page together). A form without a title starts where a new 项目名称 label or
budget header follows a finished indicator table. What comes before the first title is a slice of its own: the
tail of a form that began on an earlier page, ingested as such if it holds rows. Captions of other tables
(`2022年部门基础数据表`) start a slice that is said to be skipped.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from dashboard.ingest.cells import Token
from dashboard.ingest.vocab import normalize_key

TITLE = re.compile(
    r"(支出|项目|整体|资金|转移支付|经费|专项).{0,14}绩效(目标)?(自评|评价自评|自我评价|评价得分表|评价表)(表|报告|结果)?"
    r"\s*(\(\d{4}年度?\)|\(修改\)|\(\d{4}年度?\)\(修改\))?$"
)
_YEAR_PART = re.compile(r"^[(（]?\s*(19|20)\d{2}\s*年度?\s*[)）]?$")
_HASHES = re.compile(r"^#+\s*")
_OTHER_TABLE = re.compile(r"(基础数据表|基础信息表|情况表|明细表|汇总表|统计表)\s*(\(.*\))?$")
FORM_START_LABELS = {
    "项目名称",
    "部门(单位)名称",
    "部门名称",
    "单位名称",
    "预算部门、单位名称",
    "转移支付(项目)名称",
    "转移支付名称",
    "项目(转移支付)名称",
}
VALUE_LABELS = FORM_START_LABELS | {"项目名称", "主管部门", "实施单位"}
TOTAL_KEYS = {"合计", "总分", "总计", "得分合计", "总得分", "自评总分", "综合得分"}


@dataclass
class FormSlice:
    title: str | None
    title_line: int | None
    tokens: list[Token] = field(default_factory=list)
    title_ref: str | None = None
    other_table: str | None = None  # the caption of a table that is not a self-evaluation form
    leading: bool = False  # the slice before the first title: it may be the tail of an earlier form


def title_at(tokens: list[Token], k: int) -> tuple[str, int] | None:
    """The title starting at token k and how many tokens it spans (a title and its `(2022年度)` piece)."""
    text = _title_text(tokens[k].text)
    if text is None:
        return None
    width = 1
    # `项目支出绩效自评表` + `(2022年度)` on the same or the next line, or `2019年度)` with its bracket lost.
    if k + 1 < len(tokens) and _YEAR_PART.match(normalize_key(tokens[k + 1].text)):
        text = f"{text} {tokens[k + 1].text.strip()}"
        width = 2
    return text, width


@functools.lru_cache(maxsize=1 << 16)
def _title_text(cell: str) -> str | None:
    """The cell as a form title (Markdown hashes dropped), or None."""
    text = _HASHES.sub("", cell).strip()
    if not text or len(text) > 90 or "\n" in text:
        return None
    key = normalize_key(text)
    if not TITLE.search(key) or key.startswith(("注", "说明")):
        return None
    return text


def other_table_at(token: Token) -> str | None:
    return _other_table(token.text)


@functools.lru_cache(maxsize=1 << 16)
def _other_table(cell: str) -> str | None:
    text = _HASHES.sub("", cell).strip()
    key = normalize_key(text)
    return text if 4 <= len(key) <= 40 and _OTHER_TABLE.search(key) and "自评" not in key else None


def is_form_start(token: Token) -> bool:
    key = normalize_key(token.text).rstrip(":：")
    return key in FORM_START_LABELS


def split_forms(tokens: list[Token]) -> list[FormSlice]:
    forms: list[FormSlice] = [FormSlice(None, None, leading=True)]
    table_done = False
    k = 0
    last_label = False  # the cell before was a label such as 项目名称: a title-like cell after it is its value
    while k < len(tokens):
        tok = tokens[k]
        title = None if last_label else title_at(tokens, k)
        if tok.text.strip():
            last_label = normalize_key(tok.text).rstrip(":：") in VALUE_LABELS
        if title is not None:
            text, width = title
            current = forms[-1]
            if current.title is not None and not _has_content(current.tokens):
                current.title, current.title_line, current.title_ref = text, tok.line, tok.ref  # a page title
            elif current.title is not None and _repeated_title(current, text):
                pass  # a web page's heading, its chrome (发布时间 …), then the same title masked or shortened
            else:
                forms.append(FormSlice(text, tok.line, title_ref=tok.ref))
            table_done = False
            k += width
            continue
        other = other_table_at(tok)
        if other is not None:
            forms.append(FormSlice(None, tok.line, [tok], title_ref=tok.ref, other_table=other))
            table_done = False
            k += 1
            continue
        current = forms[-1]
        if current.other_table is not None and is_form_start(tok):
            current = FormSlice(None, None)
            forms.append(current)
        elif table_done and is_form_start(tok):
            current = FormSlice(None, None)
            forms.append(current)
            table_done = False
        current.tokens.append(tok)
        if normalize_key(tok.text) in TOTAL_KEYS:
            table_done = True
        k += 1
    return [f for f in forms if _has_content(f.tokens) or f.title]


def _has_content(tokens: list[Token]) -> bool:
    return any(t.text.strip() for t in tokens)


def _repeated_title(current: FormSlice, text: str) -> bool:
    """`****2024年度林业草原改革发展资金绩效评价表` after `雅安市名山区林业局2024年度…绩效评价表` and a few lines of page
    chrome: the same form's title again, not a new form."""
    if current.title is None or len(current.tokens) > 30:
        return False
    if any(is_form_start(t) or normalize_key(t.text) in TOTAL_KEYS for t in current.tokens):
        return False
    new, old = normalize_key(text).lstrip("*"), normalize_key(current.title)
    return len(new) >= 8 and (old.endswith(new) or new.startswith(old))  # …绩效自评 (the page), …绩效自评表
