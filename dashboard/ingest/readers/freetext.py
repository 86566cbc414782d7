"""Text copied from web pages, where the table's columns are gone: one cell per line or per paragraph, or a
table's rows run together with single spaces. Rows are rebuilt from the domain's grammar instead of columns:

- a title line; a label (项目名称, 主管部门 …) with its value; a header as a run of header words;
- a budget row runs from a line name (年度资金总额, 其中：基本支出 …) over its numbers;
- an indicator row ends with its weight/score pair and an optional note; the next row starts at a level name,
  a numbered indicator name (指标3: …), or a run of short cells that reaches the next weight/score pair;
- goals and notes keep one cell per line, since their sentences contain spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.ingest.budget import BudgetHeader
from dashboard.ingest.goals import is_goal_label
from dashboard.ingest.indicator_rows import IndicatorHeader
from dashboard.ingest.model import Row
from dashboard.ingest.segment import title_of
from dashboard.ingest.values import clean_cell, has_seq_label, is_bare_number, is_value_like, to_number
from dashboard.ingest.vocab import (
    BUDGET_HEADER,
    INDICATOR_HEADER,
    is_no_deviation,
    is_section_label,
    is_total_label,
    level1_name,
    level2_name,
    normalize_key,
)

_SPACED_CJK = re.compile(r"(?<!\S)([\u4e00-\u9fff](?: [\u4e00-\u9fff]){2,})(?!\S)")
_SPACED_PAIR = re.compile(r"(?<!\S)(合 计|总 分|总 计|得 分|分 值|权 重)(?!\S)")
_SEQ_GLUE = re.compile(r"(指标\s*\d+\s*[:：])\s+")
_SENTENCE = re.compile(r"[，。；！？,;]")
_STOP = re.compile(r"^(注[:：\s\d.、]|说明|备注|其他需要说明)")
_META = {
    "项目名称",
    "主管部门",
    "主管单位",
    "实施单位",
    "项目实施单位",
    "部门名称",
    "单位名称",
    "预算单位",
    "预算部门",
}
_LOOKAHEAD = 7


@dataclass
class Token:
    text: str
    line: int


def collapse_spaced(text: str) -> str:
    """`绩 效 指 标` -> `绩效指标`."""
    text = _SPACED_CJK.sub(lambda m: m.group(1).replace(" ", ""), text)
    return _SPACED_PAIR.sub(lambda m: m.group(1).replace(" ", ""), text)


def tokens_of(line: str, number: int) -> list[Token]:
    text = _SEQ_GLUE.sub(r"\1", line)
    return [Token(p, number) for p in text.split() if p]


def _is_meta(text: str) -> bool:
    return normalize_key(text).rstrip(":：") in _META


_HEADER_WORDS = tuple(
    w for table in (INDICATOR_HEADER, BUDGET_HEADER) for words in table.values() for w in words
)


def _is_header_word(text: str, strict: bool = False) -> bool:
    """A whole cell that is a header word (`全年预算数(A)`, `偏差原因分析及改进措施`, `预算执行率`), not a cell
    mentioning one. Inside a table only exact header words count, so an indicator called 考核得分 stays data."""
    key = re.sub(r"[(（][^)）]*[)）]$", "", normalize_key(text))
    if strict:
        return key in _HEADER_WORDS or key in ("偏差原因分析及改进措施", "未完成原因分析")
    return len(key) <= 12 and any(key.startswith(w) or key.endswith(w) for w in _HEADER_WORDS)


def _is_number_cell(text: str) -> bool:
    t = text.strip()
    return t in ("—", "-", "/", "——") or to_number(t) is not None


def _pair_at(tokens: list[Token], k: int) -> bool:
    if k < 0 or k + 1 >= len(tokens):
        return False
    return all(is_bare_number(t.text) and abs(to_number(t.text) or 0) <= 100 for t in tokens[k : k + 2])


def _definite_start(text: str) -> bool:
    return bool(level1_name(text) or level2_name(text) or has_seq_label(text) or is_section_label(text))


def _starts_row(tokens: list[Token], i: int) -> bool:
    """Does tokens[i] begin the next indicator row (rather than continue the previous row's note)?"""
    text = tokens[i].text
    if is_no_deviation(text):
        return False
    if _definite_start(text):
        return True
    for k in range(i + 1, min(i + _LOOKAHEAD, len(tokens) - 1)):
        between = tokens[i:k]
        if any(len(t.text) > 24 or _SENTENCE.search(t.text) for t in between):
            return False
        if any(_definite_start(t.text) for t in between[1:]):
            return False
        if _pair_at(tokens, k):
            return True
    return False


def rows_of_indicators(tokens: list[Token]) -> list[Row]:
    """Cut a stream of table cells into indicator rows: each ends at its weight/score pair plus a note."""
    rows: list[Row] = []
    current: list[Token] = []
    note: list[Token] = []

    def emit() -> None:
        if current:
            cells = [t.text for t in current] + ([" ".join(t.text for t in note)] if note else [])
            rows.append(Row(cells, current[0].line, f"第{current[0].line}行"))

    complete = False
    i = 0
    while i < len(tokens):
        if complete:
            if _starts_row(tokens, i):
                emit()
                current, note, complete = [], [], False
                continue
            note.append(tokens[i])
            i += 1
            continue
        current.append(tokens[i])
        i += 1
        next_is_number = i < len(tokens) and is_bare_number(tokens[i].text)
        if len(current) >= 3 and _pair_at(current, len(current) - 2) and not next_is_number:
            complete = True
    emit()
    return rows


@dataclass
class _Builder:
    rows: list[Row] = field(default_factory=list)
    state: str = "head"  # head | budget | goals | table | total | notes
    header: list[Token] = field(default_factory=list)
    budget_row: list[Token] = field(default_factory=list)
    table: list[Token] = field(default_factory=list)
    goal_labels: list[Token] = field(default_factory=list)
    goal_texts: list[Token] = field(default_factory=list)

    def row(self, cells: list[str], line: int) -> None:
        self.rows.append(Row(cells, line, f"第{line}行"))

    # -- closing blocks -----------------------------------------------------------------------------------
    def close(self) -> None:
        self.close_header()
        if self.budget_row:
            self.row([t.text for t in self.budget_row], self.budget_row[0].line)
            self.budget_row = []
        if self.table:
            self.rows.extend(rows_of_indicators(self.table))
            self.table = []
        if self.goal_labels or self.goal_texts:
            labels = [t for t in self.goal_labels if "完成" in t.text or normalize_key(t.text) == "预期目标"]
            line = (self.goal_labels or self.goal_texts)[0].line
            self.row([t.text for t in labels] or ["预期目标"], line)
            if self.goal_texts:
                self.row([t.text for t in self.goal_texts], self.goal_texts[0].line)
            self.goal_labels, self.goal_texts = [], []

    def close_header(self) -> None:
        if not self.header:
            return
        cells = [t.text for t in self.header]
        probe = Row(cells, self.header[0].line)
        self.row(cells, self.header[0].line)
        if IndicatorHeader.detect(probe):
            self.state = "table"
        elif BudgetHeader.detect(probe):
            self.state = "budget"
        self.header = []

    # -- feeding --------------------------------------------------------------------------------------------
    def line(self, number: int, raw: str) -> None:
        line = collapse_spaced(clean_cell(raw))
        if not line:
            return
        if title_of(Row([line], number)):
            self.close()
            self.row([line], number)
            self.state = "head"
            return
        toks = tokens_of(line, number)
        first = toks[0].text
        strict = self.state in ("table", "total")
        opens = (
            any(_is_header_word(t.text, strict) for t in toks)
            or _is_meta(first)
            or is_section_label(first)
            or bool(self.header)
        )
        if self.state == "goals" and not opens:
            if all(is_goal_label(t.text) for t in toks):
                self.goal_labels.extend(toks)
            else:
                self.goal_texts.append(Token(line, number))
            return
        if self.state == "notes" and not opens:
            self.row([line], number)
            return
        if self.state in ("goals", "notes") and opens:
            self.close()
            self.state = "head"
        if self.state == "head" and not opens and not is_goal_label(first):
            last = self.rows[-1] if self.rows else None
            if last is not None and _is_meta(last.cells[0]) and len(last.cells) == 1:
                last.cells.append(line)  # 项目名称 on one line, its value on the next
            else:
                self.row([line], number)
            return
        for k, tok in enumerate(toks):
            if self.token(tok) == "line-done":
                return
            if self.state == "goals" and k + 1 < len(toks):
                rest = toks[k + 1 :]
                if all(is_goal_label(t.text) for t in rest):
                    self.goal_labels.extend(rest)
                else:
                    self.goal_texts.append(Token(" ".join(t.text for t in rest), number))
                return

    def token(self, tok: Token) -> str | None:
        text = tok.text
        if _is_header_word(text, strict=self.state in ("table", "total") and not self.header):
            if not self.header:
                self.close()
            self.header.append(tok)
            return None
        if self.header:
            prev = self.header[-1]
            if (
                len(text) <= 4
                and prev.line >= tok.line - 1
                and not is_value_like(text)
                and not _definite_start(text)
            ):
                prev.text += text  # a header word broken over two lines: 偏差原因分析及改进 / 措施
                return None
            self.close_header()
        if is_goal_label(text) and self.state in ("head", "budget"):
            self.close()
            self.state = "goals"
            self.goal_labels.append(tok)
            return None
        handler = getattr(self, f"_in_{self.state}")
        return handler(tok)

    def _in_head(self, tok: Token) -> str | None:
        text = tok.text
        last = self.rows[-1] if self.rows else None
        if not _is_meta(text) and last is not None and _is_meta(last.cells[0]) and len(last.cells) == 1:
            last.cells.append(text)
        else:
            self.row([text], tok.line)
        return None

    def _in_budget(self, tok: Token) -> str | None:
        if _is_number_cell(tok.text):
            self.budget_row.append(tok)
            return None
        if self.budget_row and any(_is_number_cell(t.text) for t in self.budget_row):
            self.row([t.text for t in self.budget_row], self.budget_row[0].line)
            self.budget_row = []
        self.budget_row.append(tok)
        return None

    def _in_goals(self, tok: Token) -> str | None:
        self.goal_texts.append(tok)
        return None

    def _in_table(self, tok: Token) -> str | None:
        text = tok.text
        if is_total_label(text):
            self.close()
            self.row([text], tok.line)
            self.state = "total"
            return None
        if _STOP.match(text):
            self.close()
            self.state = "notes"
            self.row([text], tok.line)
            return "line-done"
        self.table.append(tok)
        return None

    def _in_total(self, tok: Token) -> str | None:
        if _is_number_cell(tok.text):
            self.rows[-1].cells.append(tok.text)
            return None
        self.state = "notes"
        self.row([tok.text], tok.line)
        return None

    def _in_notes(self, tok: Token) -> str | None:
        self.row([tok.text], tok.line)
        return None


def rows_from_free_text(lines: list[str]) -> list[Row]:
    builder = _Builder()
    for number, raw in enumerate(lines, start=1):
        builder.line(number, raw)
    builder.close()
    return builder.rows
