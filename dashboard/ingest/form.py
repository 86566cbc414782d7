"""One form slice -> Report, read from its cell stream by blocks.

The stream is cut into blocks where a block's first cell says what follows: a label of the header block (项目名称,
主管部门, 实施单位 …), a budget header, a goals label (年度总体目标, 项目年度目标 …), an indicator header, a
total row (合计 / 总分), a note label (评价结论, 存在问题, 注：…). Blocks come in whatever order the province's
template puts them (Sichuan puts the budget after the goals). Each block is read by its own reader; the table
and budget blocks by the aligner. A table whose header was cut off (the tail of a form that began on an earlier
page) is read with the columns of the template family whose reading costs least.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dashboard.ingest.align import AlignedRow, Aligner, skip_for
from dashboard.ingest.budget import align_budget, budget_line, is_total_line, labelled_budget
from dashboard.ingest.cells import Token, joined, kind_of
from dashboard.ingest.errors import IngestError
from dashboard.ingest.goals import is_goal_label, parse_goals
from dashboard.ingest.header import HeaderRun, _cell_role, find_headers, header_words, is_caption
from dashboard.ingest.indicator_rows import TableState, build_indicator
from dashboard.ingest.model import BudgetLine, Finding, Note, Report, Row
from dashboard.ingest.reflow import reflow
from dashboard.ingest.segment import FormSlice
from dashboard.ingest.templates import detect_family
from dashboard.ingest.values import is_empty, to_number
from dashboard.ingest.vocab import (
    DEFAULT_LEVEL1_NORMS,
    KNOWN_LABELS,
    ORG_SUFFIX,
    is_total_label,
    level1_name,
    normalize_key,
    original_span,
)

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_UNIT = re.compile(
    r"(?:(?:19|20)\d{2}\s*年度?)?\s*(?P<unit>.+?)\s*(?:部门)?(?:预算)?(?:整体支出|项目支出|预算项目支出|部门整体支出)绩效自评"
)
# 雅安市名山区林业局2024年度林业草原改革发展资金绩效评价表: the unit, the year, then the fund or project.
_TITLE_UNIT_YEAR = re.compile(
    r"^(?P<unit>[^\d*]{4,30}?)(?:19|20)\d{2}年度?(?P<project>[^\d]{2,40}?)(?:支出)?绩效(?:目标)?(?:自评|评价)"
)
_PLACE = re.compile(r".{1,12}(省|市|县|区|自治县|自治州|旗)")
_PROJECT_CODE = re.compile(
    r"^(?P<code>\d{6,}[0-9A-Z]*)\s*(?:[-_－—:：、.]\s*(?P<name>\S.*)|(?P<bare>[^\d\s\-_－—:：、.].*))$"
)
_NORMS_TEXT = re.compile(r"一级指标(?:分值|权重)[^:：]*?(?:设置为|为)[:：]?(?P<body>[^。]+)")
_NORM_ITEM = re.compile(r"(?P<name>[\u4e00-\u9fff]+?)(?P<w>\d+(?:\.\d+)?)分")
_SEAL = re.compile(r"^[(（](盖章|签章|公章|签字)[)）]$")
_LABEL_TAIL = re.compile(r"[(（](盖章|签章|公章)[)）]$")

META_LABELS = {
    "项目名称": "project",
    "专项资金名称": "project",
    "专项名称": "project",
    "项目(转移支付)名称": "project",
    "转移支付(项目)名称": "project",
    "转移支付名称": "project",
    "主管部门": "supervisor",
    "主管部门及代码": "supervisor",
    "主管单位": "supervisor",
    "中央主管部门": "supervisor",
    "省级主管部门": "supervisor",
    "地方主管部门": "local_supervisor",
    "专项实施期": "period",
    "县级主管部门": "supervisor",
    "市县主管部门": "local_supervisor",
    "自治区主管部门": "supervisor",
    "市县财政部门": "finance",
    "地方财政部门": "finance",
    "负责人及电话": "contact",
    "项目负责人及电话": "contact",
    "实施单位/项目负责人": "unit_contact",
    "实施单位": "unit",
    "实施(主管)单位": "unit",
    "是否为专项资金": "special_fund",
    "项目实施单位": "unit",
    "项目单位": "unit",
    "工作活动(项目)名称": "project",
    "工作活动(项目)承担单位": "unit",
    "工作活动(项目)主管部门": "supervisor",
    "资金使用单位": "unit",
    "部门名称": "unit",
    "部门": "unit_name",  # Anhui 部门整体: 部门 | 金寨县茶谷和美丽乡村建设服务中心 (only before an organisation's name)
    "单位名称": "unit_name",
    "项目类别": "category",
    "项目属性": "category",
    "项目类型": "category",
    "部门(单位)名称": "unit",
    "预算单位": "unit",
    "预算部门": "unit",
    "预算部门、单位名称": "unit",
    "部门(单位)": "unit",
    "填报单位": "filer",
    "填报日期": "date",
    "自评总分": "total",
    "自评总分(分)": "total",
    "自评得分": "total",
    "项目总得分": "total",
}
_LABELLED_TEXT = re.compile(r"^[\u4e00-\u9fff]{2,4}(方式|机构|类型|日期|时间)[:：]")
_NOTE_LABEL = re.compile(
    r"^(评价结论|存在问题|改进措施|说明|其他需要说明的问题|其他需要说明|备注|项目负责人|财务负责人|填表人|联系电话|"
    r"填报日期|部门联系人|审核人|单位负责人|注|问题及改进措施|存在的问题和整改措施|自评结论)[:：]?"
)
_PERSON = ("项目负责人", "财务负责人", "填表人", "联系电话", "填报日期", "部门联系人", "审核人", "单位负责人")
GOAL_STARTS = {"项目基本情况", "项目年度目标", "年度目标完成情况", "1.项目年度目标完成情况", "年度绩效目标"}


def _meta_role(text: str) -> str | None:
    key = _LABEL_TAIL.sub("", normalize_key(text)).rstrip(":：")
    return META_LABELS.get(key)


def _note_label(text: str) -> str | None:
    key = normalize_key(text)
    m = _NOTE_LABEL.match(key)
    if not m:
        return None
    rest = key[m.end() :]
    if m.group(1) == "注" and not (key.startswith("注:") or re.match(r"注\d", key)):
        return None
    if m.group(1) == "说明" and len(rest) > 60:
        return "说明"
    return m.group(1)


_BUDGET_CAPTIONS = ("项目资金", "资金情况")
_OUTCOME_YEAR = re.compile(r"^(20[0-3]\d)年(?:度)?[,，]")
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|xlsx?|wps|et)\b", re.I)


def _points_number(text: str) -> float | None:
    return to_number(text[:-1] if text.endswith("分") else text)


_FUND_TITLE = ("资金绩效评价表",)
_TRANSFER_SECTIONS = {"资金管理情况", "分配科学性", "下达及时性", "拨付合规性"}


def detect_kind(title: str | None, tokens: list[Token]) -> str:
    key = normalize_key(title or "")
    head = [normalize_key(t.text) for t in tokens[:40]]
    if "转移支付" in key or any(
        k.startswith(("转移支付", "中央主管部门", "省级主管部门", "专项名称")) for k in head
    ):
        return "transfer"
    if "整体支出" in key or "部门整体" in key:
        return "department"
    if "项目" in key:
        return "project"
    if key.endswith(_FUND_TITLE) or any(normalize_key(t.text) in _TRANSFER_SECTIONS for t in tokens[:160]):
        return "transfer"  # 林业草原改革发展资金绩效评价表, or a 资金管理情况 block (分配科学性 / 下达及时性)
    if not key and any(k.startswith("部门整体支出总额") for k in head):
        return "department"  # the budget block of a 部门整体 form
    if not key and any(("部门整体" in k or "整体支出" in k) and "自评" in k for k in head[:3]):
        return "department"  # no title of its own: the heading ran into the first cells
    for k in head:
        if _meta_role(k) == "project":
            return "project"
    if any(k.startswith(("部门(单位)名称", "预算部门")) for k in head):
        return "department"
    return "project" if not key else "department"


def _is_org_name(text: str) -> bool:
    return bool(ORG_SUFFIX.search(normalize_key(text)))


@dataclass
class Block:
    kind: str  # meta | budget | goals | table | total | notes | caption
    start: int
    end: int
    header: HeaderRun | None = None
    body_start: int = 0


def _blocks(tokens: list[Token], headers: list[HeaderRun], budgets: list[HeaderRun]) -> list[Block]:
    starts: list[Block] = []
    covered: set[int] = set()
    for run in headers:
        starts.append(Block("table", run.start, run.end, run, run.end))
        covered.update(range(run.start, run.end))
    for run in budgets:
        starts.append(Block("budget", run.start, run.end, run, run.end))
        covered.update(range(run.start, run.end))
    header_ends = {run.end: tokens[run.end - 1].row for run in (*headers, *budgets) if run.end > run.start}
    for k, tok in enumerate(tokens):
        if k in covered or not tok.text:
            continue
        text = tok.text
        key = normalize_key(text)
        if _meta_role(text) or _glued_meta(text):
            starts.append(Block("meta", k, k + 1, body_start=k + 1))
        elif is_goal_label(text) or key in GOAL_STARTS or key.startswith(("1.项目年度目标", "项目年度目标")):
            starts.append(Block("goals", k, k + 1, body_start=k + 1))
        elif (is_total_label(text) or _glued_total(text)) and not _budget_total_row(tokens, starts, k, key):
            starts.append(Block("total", k, k + 1, body_start=k + 1))
        elif _note_label(text) and tok.piece == 0 and header_ends.get(k) != tok.row:
            # (备注 right after a header's last cell, on its row, is the header's own last column)
            starts.append(Block("notes", k, k + 1, body_start=k))
        elif is_caption(text) and _is_budget_caption(key) and _before_budget(tokens, k, budgets):
            starts.append(Block("caption", k, k + 1, body_start=k + 1))
    starts.sort(key=lambda b: b.start)
    # Goal labels follow each other (年度总体目标 | 预期目标 | 实际完成情况): one goals block.
    merged: list[Block] = []
    for b in starts:
        if merged and b.kind == "goals" and merged[-1].kind == "goals":
            continue
        merged.append(b)
    starts = merged
    for a, b in zip(starts, starts[1:]):
        a.end = b.start
    if starts:
        starts[-1].end = len(tokens)
    return starts


def _budget_total_row(tokens: list[Token], starts: list[Block], k: int, key: str) -> bool:
    """合计 as the first line under a budget header (合计 | 8 | 8 | 7.9879): the budget's total line, not the form's."""
    before = [b for b in starts if b.start < k]
    last = max(before, key=lambda b: b.start, default=None)
    if key not in ("合计", "总计") or last is None or last.kind != "budget":
        return False
    if all(not t.text for t in tokens[last.body_start : k]):
        return True
    # 一般预算内拨款 63 63 100% 合计 63 63 100%: amounts and a rate after it, as in the budget's own lines
    after = [t.text for t in tokens[k + 1 : k + 6] if t.text.strip()][:4]
    return any(re.fullmatch(r"\d+(?:\.\d+)?\s*[%％]", x.strip()) for x in after) and all(
        kind_of(x).value or kind_of(x).pct or kind_of(x).bare for x in after[:2]
    )


def _cut_scattered_table(tokens: list[Token], blocks: list[Block], budgets: list[HeaderRun]) -> list[Block]:
    """No indicator header was found (its words scattered by a converter), yet after the budget block come
    indicator rows (`指标7:建立预防接种证 221人 221人 2 2`): the rows start a block of their own, read headerless."""
    after = budgets[-1].end
    for k in range(after, len(tokens)):
        kind = kind_of(tokens[k].text)
        if not (kind.seq and not kind.placeholder):
            continue
        window = [kind_of(t.text) for t in tokens[k + 1 : k + 8]]
        if sum(w.small for w in window) >= 2:
            out: list[Block] = []
            for b in blocks:
                if b.start >= k:
                    out.append(b)
                elif b.end > k:
                    out.append(Block(b.kind, b.start, k, b.header, min(b.body_start, k)))
                else:
                    out.append(b)
            nxt = next((b.start for b in out if b.start > k), len(tokens))
            out.append(Block("rows", k, nxt, body_start=k))
            return sorted(out, key=lambda b: b.start)
    return blocks


def _before_budget(tokens: list[Token], k: int, budgets: list[HeaderRun]) -> bool:
    """A caption right before a budget header (预算执行情况(10分) | 年度预算数(万元) | 年初预算 …)."""
    nxt = next((b.start for b in budgets if b.start > k), None)
    return nxt is not None and all(
        is_caption(t.text) or kind_of(t.text).empty or _is_budget_caption(normalize_key(t.text))
        for t in tokens[k + 1 : nxt]
    )


def _is_budget_caption(key: str) -> bool:
    return key.startswith(
        ("预算执行情况", "年度预算数", "项目资金", "年度预算申请", "部门(单位)整体支出", "资金情况")
    )


def _is_label_piece(text: str) -> bool:
    """A label that ends the value before it on a free-text line: 资金情况(万元), 年初预算数, 项目负责人 …"""
    key = normalize_key(text)
    return bool(
        is_meta_label(text)
        or key in KNOWN_LABELS
        or is_caption(text)
        or _is_budget_caption(key)
        or _cell_role(text, "budget")
        or _cell_role(text, "indicator")
    )


def is_meta_label(text: str) -> bool:
    """项目名称, 主管部门: …, 实施单位: the labels of a form's header block."""
    return bool(_meta_role(text) or _glued_meta(text))


def _glued_meta(text: str) -> bool:
    key = normalize_key(text)
    head, sep, _ = key.partition(":")
    return bool(sep) and _meta_role(head) is not None


def _glued_total(text: str) -> bool:
    key = normalize_key(text)
    m = re.match(r"^(总分|自评总分|总计|合计)(?:\(分\))?[:：]?(\d+(?:\.\d+)?)$", key)
    return bool(m)


def _reliable(tokens: list[Token]) -> bool:
    """Are the source lines table rows (tabs, pipe rows, spreadsheets, space-separated rows)? Not when a few lines
    hold the whole table (a page run together), nor when each line is one cell. Empty cells count: a spreadsheet
    row of a name and blanks is still a row."""
    per_row: dict[int, int] = {}
    for t in tokens:
        per_row[t.row] = per_row.get(t.row, 0) + 1
    filled = {t.row for t in tokens if t.text.strip()}
    counts = sorted(c for r, c in per_row.items() if r in filled)
    if len(counts) < 3:
        return False
    median = counts[len(counts) // 2]
    return 3 <= median <= 24


class FormReader:
    def __init__(self, form: FormSlice, path: str | Path):
        self.form = form
        self.path = path
        self.tokens = form.tokens
        self.report = Report(
            kind=detect_kind(form.title, form.tokens),
            year=None,
            unit=None,
            title=form.title,
            source_line=form.title_line or (form.tokens[0].line if form.tokens else None),
            source_ref=form.title_ref or (form.tokens[0].ref if form.tokens else None),
        )
        self.meta: dict[str, str] = {}
        self.lone: list[str] = []
        self.header_shares: list[float] = []
        self.table_rows: list[tuple[AlignedRow, bool]] = []
        self.pending_total: tuple[str, float, str, Token] | None = None
        self.last_header: HeaderRun | None = None
        self.mid_form = False

    # -- reading ------------------------------------------------------------------------------------------
    def read(self) -> Report:
        tokens = self.tokens
        headers = find_headers(tokens, "indicator")
        if headers and headers[0].displaced:  # the first row's cells printed inside the header: after it
            out = set(map(id, headers[0].displaced))
            run = tokens[headers[0].start : headers[0].end]
            tokens = (
                tokens[: headers[0].start]
                + [t for t in run if id(t) not in out]
                + headers[0].displaced
                + tokens[headers[0].end :]
            )
            self.tokens = tokens
            headers = find_headers(tokens, "indicator")
        moved = reflow(tokens, headers[0].roles if headers else None, headers[0].end if headers else 0)
        if moved is not tokens:
            tokens = self.tokens = moved
            headers = find_headers(tokens, "indicator")
        budgets = [b for b in find_headers(tokens, "budget") if not _inside(b, headers)]
        blocks = _blocks(tokens, headers, budgets)
        if not headers and budgets:
            blocks = _cut_scattered_table(tokens, blocks, budgets)
        first = blocks[0].start if blocks else len(tokens)
        self._read_lone(tokens[:first])
        words: set[str] = set()
        roles: list[str] = []
        state = TableState(self.report.kind)
        saw_table = False
        saw_total = False
        after_total: list[Token] = []
        for b in blocks:
            body = tokens[b.body_start : b.end]
            if b.kind == "meta":
                self._read_meta(tokens[b.start : b.end])
            elif b.kind == "budget":
                assert b.header is not None
                words |= header_words(b.header)
                self._read_budget(body, b.header)
            elif b.kind == "goals":
                self._read_goals(tokens[b.start : b.end])
            elif b.kind == "table":
                assert b.header is not None
                words |= header_words(b.header)
                roles = roles or b.header.roles
                self.header_shares.append(b.header.placed_share)
                self.last_header = b.header
                self._read_table(body, b.header.roles, b.header, state)
                saw_table = True
            elif b.kind == "total":
                saw_total = self._read_total(tokens[b.start : b.end]) or saw_total
            elif b.kind == "notes":
                after_total.extend(tokens[b.start : b.end])
            elif b.kind == "rows":
                self._read_headerless(body, [], state)
                saw_table = saw_table or bool(self.report.indicators)
        if not headers and not any(b.kind == "rows" for b in blocks):
            self._read_headerless(tokens, blocks, state)
            saw_table = bool(self.report.indicators)
        if not self.report.budget_lines:
            line = labelled_budget(tokens)
            if line is not None:
                self.report.budget_lines.append(line)
        self.report.findings.extend(state.findings)
        self._fill_names()
        self.report.year = self._year()
        family = detect_family(words, roles)
        self.report.template = family.template
        self.report.notes = _labelled_notes(after_total)
        _read_norms(self.report, [n.text for n in self.report.notes])
        self._order_total_line_first()
        self._resolve_single_total(self.mid_form or (self.form.leading and not self.meta))
        self._say_how_sure(saw_table, saw_total, after_total)
        if not (self.report.indicators or self.report.budget_lines or self.meta):
            raise IngestError(
                self.path,
                "未找到可读取的指标行或预算行（缺少“一级指标/二级指标/三级指标/分值/得分”表头及数值）",
                self.report.source_line,
            )
        return self.report

    def _read_lone(self, tokens: list[Token]) -> None:
        for row in _rows_of(tokens):
            text = " ".join(t.text for t in row if t.text.strip())
            if text and len(text) <= 60:
                self.lone.append(text)

    def _read_meta(self, tokens: list[Token]) -> None:
        if not tokens:
            return
        label = tokens[0].text
        key = normalize_key(label)
        head, sep, glued = key.partition(":")
        role = _meta_role(label)
        if sep and _meta_role(head) and glued:
            role = _meta_role(head)
            value = re.split(r"[:：]", label, maxsplit=1)[1]
        else:
            rest = [t for t in tokens[1:] if t.text.strip() and not _SEAL.match(normalize_key(t.text))]
            rest = [t for t in rest if not kind_of(t.text).empty]
            if not rest:
                return
            first = rest[0]
            pieces = [t for t in rest if t.row == first.row]
            if first.piece > 0 and len(pieces) >= 2 and all(_is_org_name(t.text) for t in pieces):
                value = (
                    first.text
                )  # 主管部门 X Y on one line: two names, the second the unit whose label was lost
                if role == "supervisor" and len(pieces) == 2:
                    self.meta.setdefault("unlabelled_unit", pieces[1].text)
            elif (
                first.piece > 0
            ):  # a free-text line: the value runs over the line's pieces, to the next label
                cut = next((k for k, t in enumerate(pieces) if k and _is_label_piece(t.text)), len(pieces))
                value = joined(pieces[:cut])
            else:
                value = first.text
                # 主管部门 | X | | | Y with the 实施单位 label lost: Y is the implementing unit.
                same_row = [t for t in rest if t.row == tokens[0].row and t.piece == 0]
                if role == "supervisor" and len(same_row) == 2:
                    self.meta.setdefault("unlabelled_unit", same_row[1].text)
            if role == "total" and _points_number(first.text.strip()) is not None:
                value = first.text  # 自评得分 | 98 | 财政审… (OCR): the figure alone
            if len(value) > 80:  # a label followed by a sentence: not a header value
                return
        caption = next((c for c in _BUDGET_CAPTIONS if value.endswith(c)), None)
        if role in ("unit", "unit_name", "supervisor") and caption and len(value) > 6:
            value = value[: -len(caption)]  # …机关项目资金: the budget block's caption ran into the name
        if role is None or not value.strip() or kind_of(value).empty:
            return
        if key == "部门" and not _is_org_name(value):
            return  # 部门 | 预算执行情况: the start of a caption, not a label
        if role == "unit" and normalize_key(value).startswith("项目负责人") or role == "unit_contact":
            # 实施单位/项目负责人 | 原州区农技中心/杨勃兴 (the label cut at its slash): the unit before the slash
            role, value = (
                "unit",
                re.split(r"[/／]", re.sub(r"^\s*项目负责人[:：]?", "", value), maxsplit=1)[0],
            )
        if role in ("unit", "unit_name", "supervisor") and re.search(r".[□√]", value):
            value = re.split(r"[□√]", value, maxsplit=1)[
                0
            ]  # 投资促进中心□3、一次性项目□: the next cell's boxes
        if role in ("unit", "unit_name", "supervisor", "project") and _LABELLED_TEXT.match(
            normalize_key(value)
        ):
            return  # 主管部门 left empty, then 评价方式:部门(单位)绩效自评: the next line's own label and value
        if role == "total":
            number = _points_number(value.strip())
            if number is not None:
                self.report.stated_total = number
            return
        self.meta.setdefault(role, value.strip())

    def _read_budget(self, body: list[Token], header: HeaderRun) -> None:
        reliable = _reliable(body)
        rows = align_budget(_budget_tokens(body), header, reliable)
        for row in rows:
            line, findings = budget_line(row)
            if line is not None:
                self.report.budget_lines.append(line)
                self.report.findings.extend(findings)

    def _read_goals(self, tokens: list[Token]) -> None:
        rows = [Row([t.text for t in r], r[0].line, r[0].ref) for r in _rows_of(tokens) if r]
        if not rows:
            return
        first = rows[0]
        outcome_column = next((i for i, c in first.nonempty() if "完成" in c), None)
        goals = parse_goals(rows, outcome_column)
        if goals and not self.report.goals:
            self.report.goals = goals

    def _read_table(
        self, body: list[Token], roles: list[str], header: HeaderRun | None, state: TableState
    ) -> None:
        reliable = _reliable(body)
        template = detect_family(header_words(header), roles).template if header else _family_of(roles)
        columns = _level_columns(header, body) if reliable and header is not None else None
        aligner = Aligner(roles, reliable_rows=reliable, columns=columns, skip=skip_for(template))
        for row in aligner.align_twice(body):
            ind = build_indicator(row, state)
            if ind is not None:
                self.report.indicators.append(ind)
            real = [t for t in row.tokens if t.text.strip() and not kind_of(t.text).empty]
            if real and not row.is_heading and (ind is not None or len(real) >= 2):
                self.table_rows.append((row, ind is not None))

    def _read_headerless(self, tokens: list[Token], blocks: list[Block], state: TableState) -> None:
        """A table whose header is not in the slice: the rows before the first block (or those of a slice that
        starts mid-table), read with the family whose columns explain them best."""
        first = blocks[0].start if blocks else len(tokens)
        body = tokens[:first]
        if not any(kind_of(t.text).small for t in body):
            return
        best: tuple[float, list[str]] | None = None
        for roles in HEADERLESS_ROLES:
            rows = Aligner(roles, reliable_rows=_reliable(body)).align(body)
            cost = sum(r.cost for r in rows)
            if best is None or cost < best[0]:
                best = (cost, roles)
        assert best is not None
        self.header_shares.append(0.5)
        self._read_table(body, best[1], None, state)
        if self.report.indicators:
            self.mid_form = True
            self.report.findings.append(
                Finding(
                    "starts_mid_form",
                    "warning",
                    "表格从指标表中途开始（没有标题和表头），已按最吻合的模板列顺序读取现有指标行",
                    source_line=self.report.source_line,
                    source_ref=self.report.source_ref,
                )
            )

    def _read_total(self, tokens: list[Token]) -> bool:
        if not tokens:
            return False
        label = normalize_key(tokens[0].text)
        glued = re.match(r"^(总分|自评总分|总计|合计)(?:\(分\))?[:：]?(\d+(?:\.\d+)?)$", label)
        numbers: list[float] = []
        for t in tokens[1:]:
            number = None if t.text.endswith("%") else _points_number(t.text)  # 总分 | 100分 too
            if number is not None:
                numbers.append(number)
            elif numbers and len(normalize_key(t.text)) > 3:
                break  # 总分 99.6 偏差大或目标未完成原因分析 … 备注:1.: the note's numbering is no score
        if glued:
            numbers = [float(glued.group(2))] + numbers
            label = glued.group(1)
        numbers = numbers[:2]
        if len(numbers) >= 2:
            self.report.stated_weight_total, self.report.stated_total = numbers[0], numbers[1]
        elif len(numbers) == 1:
            self._single_total(label, numbers[0], tokens)
        return True

    def _single_total(self, label: str, value: float, tokens: list[Token]) -> None:
        """One number after 合计: the weights' total or the score? Decided once the form is read (see below)."""
        number_tok = next(
            (t for t in tokens[1:] if _points_number(t.text) is not None), tokens[0]
        )  # 合计100: glued
        self.pending_total = (label, value, tokens[0].text, number_tok)
        cols = self.last_header.columns if self.last_header else {}
        row_cells = [t for t in tokens if t.row == number_tok.row]
        if number_tok.piece == 0 and len(row_cells) >= 3 and "score" in cols and "weight" in cols:
            # A grid keeps the total in its column: under 得分 (or right of it) the score, under 分值 the weights.
            if number_tok.col >= cols["score"]:
                self.report.stated_total, self.pending_total = value, None
            elif number_tok.col == cols["weight"]:
                self.report.stated_weight_total, self.pending_total = value, None

    def _resolve_single_total(self, mid_form: bool) -> None:
        if self.pending_total is None:
            return
        label, value, label_text, tok = self.pending_total
        report = self.report
        weights, scores = report.weight_total, report.computed_total
        no_scores = not any(i.score is not None for i in report.indicators)
        if label in ("总分", "自评总分", "得分合计", "总得分", "综合得分") and not (
            no_scores and weights == value
        ):
            report.stated_total = value
        elif weights is not None and abs(weights - value) < 0.01:
            report.stated_weight_total = value
        elif scores is not None and abs(scores - value) < 0.01:
            report.stated_total = value
        elif report.template == "sichuan" or no_scores:
            report.stated_weight_total = value  # the Sichuan template's 合计 row sits under 权重
        elif mid_form:
            report.findings.append(
                Finding(
                    "ambiguous_total",
                    "info",
                    f"“{label_text}”一栏只有一个数 {value:g}，表格不完整，无法判断是分值合计还是得分合计，未作为填报总分",
                    source_line=tok.line,
                    source_ref=tok.ref,
                )
            )
        else:
            report.stated_total = value

    # -- names, year, confidence --------------------------------------------------------------------------
    def _fill_names(self) -> None:
        report, meta, title = self.report, self.meta, self.form.title
        title_unit = original_span(_TITLE_UNIT, title, "unit") if title else None
        if title_unit and normalize_key(title_unit) in ("部门", "单位", "本部门", "本单位", "部门(单位)"):
            title_unit = None  # 部门整体支出绩效自评表: the form's kind, not a unit's name
        # A transfer form's 地方主管部门 (市县主管部门) is the supervisor the bureau deals with; 中央主管部门 is the ministry.
        report.supervisor = meta.get("local_supervisor") or meta.get("supervisor")
        m = _TITLE_UNIT_YEAR.match(normalize_key(title)) if title else None
        place = (
            bool(m) and _PLACE.fullmatch(m.group("unit")) is not None
        )  # 彭水自治县2024年度…: no unit, a project
        if m and not (place or _is_org_name(m.group("unit"))):
            m = None
        if m and not place:
            title_unit = title_unit or original_span(_TITLE_UNIT_YEAR, title, "unit")
        # 实施单位 over 单位名称: on a project form the unit that carried the project out, not the one that filed it
        report.unit = (
            meta.get("unit")
            or meta.get("unit_name")
            or meta.get("unlabelled_unit")
            or meta.get("filer")
            or title_unit
        )
        if report.unit and normalize_key(report.unit).startswith(("本单位", "本部门")):
            # 项目实施单位: 本单位 — the unit named under 单位名称 or 填报单位
            report.unit = meta.get("unit_name") or meta.get("filer") or report.unit
        if report.unit is None and report.kind == "department":
            report.unit = next((t for t in self.lone if _is_org_name(t) and len(t) <= 30), None)
        if report.kind not in ("project", "transfer"):
            return
        project = meta.get("project") or (
            original_span(_TITLE_UNIT_YEAR, title, "project") if m and title else None
        )
        names = {normalize_key(n) for n in (report.supervisor, report.unit, meta.get("unlabelled_unit")) if n}
        if project is None or normalize_key(project) in names or _is_org_name(project):
            fallback = next(
                (
                    t
                    for t in self.lone
                    if not _is_org_name(t) and normalize_key(t) not in names and not _YEAR.search(t)
                ),
                None,
            )
            if fallback is not None and project is not None:
                report.findings.append(
                    Finding(
                        "project_name_from_title",
                        "info",
                        f"“项目名称”栏填写的是“{project}”，项目名称取自表格上方的标题行“{fallback}”",
                        source_line=report.source_line,
                        source_ref=report.source_ref,
                    )
                )
                project = fallback
        if project:
            m = _PROJECT_CODE.match(project.strip())
            if m:
                report.project_code, project = m.group("code"), (m.group("name") or m.group("bare")).strip()
        report.project = project

    def _year(self) -> int | None:
        """The form's year: from its title, else the first lines (a `( 2021 年度)` line split into pieces counts,
        a 填报日期 does not)."""
        texts = [self.form.title or ""] + ["".join(t.text for t in row) for row in _rows_of(self.tokens[:80])]
        # A file's name quoted above the form (《…2022年度….docx》由会员分享) gives way to the form's own heading.
        texts = [t for t in texts if not _FILE_NAME.search(t)] + [t for t in texts if _FILE_NAME.search(t)]
        for text in texts:
            key = normalize_key(text)
            for m in _YEAR.finditer(key):
                if not re.search(
                    r"(填报|日期|时间|发布|报告日期)[:：]?$", key[max(0, m.start() - 6) : m.start()]
                ):
                    return int(m.group(1))
        # No year in the heading: the year the outcome text reports on (2023年,通过开展…), never a date.
        for tok in self.tokens[80:]:
            m = _OUTCOME_YEAR.search(tok.text)
            if m:
                return int(m.group(1))
        return None

    def _order_total_line_first(self) -> None:
        lines = self.report.budget_lines
        total = next((k for k, line in enumerate(lines) if is_total_line(line.line)), 0)
        unnamed = next(
            (k for k, line in enumerate(lines) if line.line == "（未命名）" and _has_money(line)), None
        )
        if lines and unnamed is not None and unnamed < total and not _has_money(lines[total]):
            # The figures printed first and the row's label (年度资金总额) after the block: one line.
            name = lines[unnamed].line = lines.pop(total).line
            for f in self.report.findings:
                if f.rule == "missing_budget_cell" and f.source_line == lines[unnamed].source_line:
                    f.message = f.message.replace("预算行“（未命名）”", f"预算行“{name}”", 1)
            total = unnamed
        if lines and total:
            lines.insert(0, lines.pop(total))

    def _say_how_sure(self, saw_table: bool, saw_total: bool, after: list[Token]) -> None:
        report = self.report
        seen = len(self.table_rows)
        placed = sum(1 for row, ok in self.table_rows if ok and row.cost <= STRAINED_ROW and not _lost(row))
        report.rows_seen, report.rows_placed = seen, placed
        report.header_share = (
            round(sum(self.header_shares) / len(self.header_shares), 4) if self.header_shares else None
        )
        parts = [p for p in (report.header_share, placed / seen if seen else None) if p is not None]
        report.confidence = round(min(parts) * 0.5 + sum(parts) / len(parts) * 0.5, 4) if parts else None
        if not report.indicators and not saw_table:
            end = next((t for t in reversed(self.tokens) if t.text.strip()), None)
            report.findings.append(
                Finding(
                    "truncated",
                    "warning",
                    "表格在指标表之前结束（只有表头、预算或目标部分），未读到指标行；已读取现有内容",
                    source_line=end.line if end else report.source_line,
                    source_ref=end.ref if end else report.source_ref,
                )
            )
        if report.indicators and not saw_total:
            last = report.indicators[-1]
            rule, text = (
                ("missing_total", "未找到合计/总分行，无法核对填报总分")
                if after
                else ("truncated", "表格在指标表中途结束（无合计行、无表后说明），可能被截断；已读取现有内容")
            )
            report.findings.append(
                Finding(rule, "warning", text, source_line=last.source_line, source_ref=last.source_ref)
            )
        for row, ok in self.table_rows:
            if not ok:
                first = row.tokens[0]
                report.findings.append(
                    Finding(
                        "unparsed_row",
                        "warning",
                        f"指标表中的一行未能识别：{' | '.join(t.text for t in row.tokens if t.text.strip())}",
                        source_line=first.line,
                        source_ref=first.ref,
                    )
                )


STRAINED_ROW = 2.5
HEADERLESS_ROLES = (
    ["level1", "level2", "level3", "op", "target", "measure_unit", "actual", "weight", "score", "note"],
    ["level1", "level2", "level3", "target", "actual", "weight", "score", "note"],
    ["level1", "level2", "level3", "weight", "target", "actual", "score", "note"],
)


def _level_columns(header: HeaderRun, body: list[Token]) -> dict[str, int] | None:
    """Where a grid keeps its empty cells (spreadsheets, tab exports), a level name's column says which level it
    is: a weak hint, for rows whose level cells the vocabulary cannot tell apart (社会影响 | 生态效益指标 | …)."""
    if any(t.piece for t in body):
        return None  # free-text pieces: their place on the line is not a column
    return {r: c for r, c in header.columns.items() if r in ("level1", "level2", "level3")} or None


def _family_of(roles: list[str]) -> str:
    return (
        "sichuan"
        if "op" in roles
        else "fenzhi_first"
        if roles.index("weight") < roles.index("target")
        else "gansu"
    )


def _lost(row: AlignedRow) -> bool:
    return any(
        t.text.strip() and not kind_of(t.text).empty and not kind_of(t.text).section for t in row.dropped
    )


def _inside(run: HeaderRun, others: list[HeaderRun]) -> bool:
    return any(o.start <= run.start < o.end for o in others)


def _budget_tokens(tokens: list[Token]) -> list[Token]:
    """`年度资金总额:` keeps its name; `按收入性质分:2030.12` is a detail line, read as name and figure."""
    out: list[Token] = []
    for t in tokens:
        key = t.text.strip()
        m = re.match(r"^(.*?[^\d\s])\s*[:：]\s*([-+]?\d[\d,]*(?:\.\d+)?)$", key)
        if m and len(m.group(1)) <= 16:
            out.append(Token(m.group(1), t.line, t.ref, t.row, t.col, t.piece))
            out.append(Token(m.group(2), t.line, t.ref, t.row, t.col, t.piece + 1))
            continue
        out.append(t)
    return out


def _rows_of(tokens: list[Token]) -> list[list[Token]]:
    rows: list[list[Token]] = []
    for t in tokens:
        if rows and rows[-1][-1].row == t.row:
            rows[-1].append(t)
        else:
            rows.append([t])
    return rows


def _labelled_notes(tokens: list[Token]) -> list[Note]:
    """Text after the table, kept with its label: 评价结论 | …, 项目负责人：张明, 注: 1. …"""
    notes: list[Note] = []
    current: Note | None = None
    for row in _rows_of(tokens):
        for t in row:
            text = t.text.strip()
            if not text or kind_of(text).empty:
                continue
            label = _note_label(text) if t.piece == 0 or current is None else None
            key = normalize_key(text)
            if label:
                rest = re.sub(r"^[:：\s]+", "", key[len(label) :]) if label != "注" else key
                if label in _PERSON:
                    current = Note(label, rest, t.line)
                else:
                    current = Note(label, rest if label != "注" else text, t.line)
                notes.append(current)
                continue
            if current is None or (
                t is row[0] and t.piece == 0 and current.text and current.label not in _PERSON
            ):
                current = Note("", text, t.line)  # a paragraph of its own
                notes.append(current)
            else:
                current.text = (current.text + " " + text).strip() if current.text else text
    for n in notes:
        n.text = n.text.strip()
    return [n for n in notes if n.text or n.label]


def _read_norms(report: Report, notes: list[str]) -> None:
    text = normalize_key("".join(notes))
    m = _NORMS_TEXT.search(text)
    norms: dict[str, float] = {}
    if m:
        for item in re.split(r"[、,，;；]", m.group("body")):
            n = _NORM_ITEM.search(item)
            if n:
                name = level1_name(n.group("name"), report.kind)
                if name:
                    norms[name] = float(n.group("w"))
    classes = {i.level1 for i in report.indicators if i.level1}
    default = DEFAULT_LEVEL1_NORMS.get(report.kind, {})
    if len(norms) >= 2:
        report.level1_norms, report.level1_norms_origin = norms, "notes"
    elif classes and classes <= set(default):
        report.level1_norms, report.level1_norms_origin = dict(default), "default"
    else:  # a template with other level-1 classes: no norm to hold it to
        report.level1_norms, report.level1_norms_origin = {}, "none"


def parse_form(form: FormSlice, path: str | Path) -> Report:
    return FormReader(form, path).read()


def is_empty_cell(text: str) -> bool:
    return is_empty(text)


def _has_money(line: BudgetLine) -> bool:
    return any(v is not None for v in (line.initial, line.full_year, line.executed))
