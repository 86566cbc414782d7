"""Plain records the parser produces and the loader stores (one Report per form)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    """One row of a container, cells already cleaned; `line` is the 1-based line (text) or row (sheet)."""

    cells: list[str]
    line: int
    ref: str = ""  # where the row sits, e.g. "第74行" or "Sheet1 第12行"
    # Scans only (None elsewhere): each cell's OCR confidence (0-1; None for a cell no text was read from) and
    # its box on the page image (x0, y0, x1, y1 in pixels of the deskewed page) with the page's number.
    confidence: list[float | None] | None = None
    boxes: list[tuple[int, int, int, int] | None] | None = None
    page: int | None = None

    def nonempty(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c and not c.isspace()]

    @property
    def text(self) -> str:
        return " | ".join(c for c in self.cells if c.strip())


@dataclass
class Finding:
    rule: str
    severity: str  # error | warning | info
    message: str
    indicator_seq: int | None = None
    source_line: int | None = None
    source_ref: str | None = None


@dataclass
class BudgetLine:
    line: str
    initial: float | None = None
    full_year: float | None = None
    executed: float | None = None
    execution_rate_stated_pct: float | None = None
    weight: float | None = None
    score: float | None = None
    source_line: int | None = None
    source_ref: str | None = None


@dataclass
class Goal:
    seq: int
    goal_text: str | None
    outcome_text: str | None


@dataclass
class Indicator:
    seq: int
    level1: str | None
    level2: str | None
    level3: str | None
    target_text: str | None
    target_op: str | None
    target_value: float | None
    target_unit: str | None
    actual_text: str | None
    actual_value: float | None
    actual_unit: str | None
    weight: float | None
    score: float | None
    note: str | None
    source_line: int | None
    raw_text: str = ""
    source_ref: str | None = None
    # Cells some families have beside the common ones, kept as written (NULL where the form has no such column).
    op_text: str | None = None  # 指标性质: ≥ ≤ = 定性 定量
    measure_unit: str | None = None  # 度量单位 / 计量单位
    target_adjusted: str | None = None  # 调整指标值 (Chongqing)
    coefficient: str | None = None  # 得分系数 (Chongqing)
    weight_share: str | None = None  # 权重占比(%) (Hebei)
    converted_score: float | None = None  # 折算得分 (Hebei)
    review_score: float | None = None  # 复核分: a reviewer's score, never the unit's own
    method: str | None = None  # 得分计算方法 / 评分标准
    is_core: bool | None = None  # 是否核心指标 (Chongqing)
    content: str | None = None  # 评价内容 / 指标解释
    evidence: str | None = None  # 需提供的支撑材料 (checklists)


@dataclass
class Note:
    """A labelled text block around the table: 评价结论, 存在问题, 改进措施, 说明, 项目负责人 …"""

    label: str
    text: str
    source_line: int | None = None


@dataclass
class Report:
    kind: str  # department | project | transfer
    year: int | None
    unit: str | None
    supervisor: str | None = None
    project: str | None = None
    project_code: str | None = None
    title: str | None = None
    template: str = "generic"
    budget_lines: list[BudgetLine] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stated_total: float | None = None
    stated_weight_total: float | None = None
    level1_norms: dict[str, float] = field(default_factory=dict)
    level1_norms_origin: str = "default"  # notes | default | none
    notes: list[Note] = field(default_factory=list)
    source_line: int | None = None
    source_ref: str | None = None
    # How sure the reading is: the share of the header's cells that named a column, and the table rows placed
    # without strain out of the rows seen; confidence combines them (1 = every cell placed as the header says).
    header_share: float | None = None
    rows_seen: int = 0
    rows_placed: int = 0
    confidence: float | None = None

    @property
    def total_line(self) -> BudgetLine | None:
        return self.budget_lines[0] if self.budget_lines else None

    @property
    def execution_weight(self) -> float | None:
        return self.total_line.weight if self.total_line else None

    @property
    def execution_score(self) -> float | None:
        return self.total_line.score if self.total_line else None

    @property
    def computed_total(self) -> float | None:
        parts = [self.execution_score] + [i.score for i in self.indicators]
        known = [p for p in parts if p is not None]
        return round(sum(known), 4) if known else None

    @property
    def weight_total(self) -> float | None:
        parts = [self.execution_weight] + [i.weight for i in self.indicators]
        known = [p for p in parts if p is not None]
        return round(sum(known), 4) if known else None

    @property
    def execution_rate_pct(self) -> float | None:
        line = self.total_line
        if line is None or line.executed is None or not line.full_year:
            return None
        return round(line.executed / line.full_year * 100, 4)


@dataclass
class Document:
    """What one file gave: its forms, or the error that stopped it."""

    path: str
    sha256: str
    format: str
    reports: list[Report] = field(default_factory=list)
    error: str | None = None
    template: str | None = None
    is_synthetic: bool = False
    skipped: list[str] = field(default_factory=list)  # parts of the file that are not forms, said out loud
    # How a text container (.txt/.tsv/.md, web pages) was decoded: utf-8, utf-8-sig, gb18030, utf-16-le …;
    # None for the other containers. Stored in sources.encoding where the schema has that column.
    encoding: str | None = None
