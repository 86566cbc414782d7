"""The generated forms as records: what each form says (the ground truth) plus how it is laid out.

A field of the truth holds exactly what ingest must recover; `Style` and the `style` dicts only steer the writers
(where a cell is lost, which comparator glyph is used) and never reach ground_truth.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Rules the generator plants on purpose; ingest must report each where it was planted, and nowhere else.
PLANTED_RULES = (
    "total_mismatch",
    "weights_not_100",
    "score_out_of_range",
    "missing_budget_cell",
    "copied_note",
    "duplicate_indicator",
    "unnamed_indicator",
    "full_score_target_missed",
    "unexplained_deduction",
    "execution_rate_mismatch",
    "project_budget_mismatch",
)


@dataclass
class IndicatorRec:
    seq: int
    level1: str
    level2: str
    level3: str | None
    target_text: str | None
    target_op: str | None
    target_value: float | None
    target_unit: str | None
    actual_text: str | None
    actual_value: float | None
    actual_unit: str | None
    weight: float
    score: float | None
    note: str | None
    style: dict = field(default_factory=dict, compare=False)

    def truth(self) -> dict:
        d = asdict(self)
        d.pop("style")
        return d


@dataclass
class BudgetLineRec:
    line: str  # the stored name: 全年支出 / 基本支出 / 项目支出 / 年度资金总额 / 当年财政拨款 / 上年结转资金 / 其他资金
    initial: float | None
    full_year: float | None
    executed: float | None
    execution_rate_stated_pct: float | None
    weight: float | None = None
    score: float | None = None
    style: dict = field(default_factory=dict, compare=False)

    def truth(self) -> dict:
        d = asdict(self)
        d.pop("style")
        return d


@dataclass
class DefectRec:
    rule: str
    cause: str  # which planted defect produces this finding (a rule name)
    indicator_seq: int | None = None
    budget_line: str | None = None
    detail: str = ""


@dataclass
class FormRec:
    kind: str  # department | project
    year: int
    unit: str  # canonical name
    unit_written: str  # as written on this form
    supervisor: str | None
    project: str | None
    budget_lines: list[BudgetLineRec]
    indicators: list[IndicatorRec]
    stated_total: float
    stated_weight_total: float | None
    goals: list[tuple[str, str]] = field(default_factory=list)
    defects: list[DefectRec] = field(default_factory=list)
    style: dict = field(default_factory=dict)

    @property
    def total_line(self) -> BudgetLineRec:
        return self.budget_lines[0]

    @property
    def execution_weight(self) -> float | None:
        return self.total_line.weight

    @property
    def execution_score(self) -> float | None:
        return self.total_line.score

    @property
    def computed_total(self) -> float:
        parts = [self.execution_score] + [i.score for i in self.indicators]
        return round(sum(p for p in parts if p is not None), 4)

    @property
    def weight_total(self) -> float:
        parts = [self.execution_weight] + [i.weight for i in self.indicators]
        return round(sum(p for p in parts if p is not None), 4)

    def truth(self) -> dict:
        t = self.total_line
        return {
            "kind": self.kind,
            "year": self.year,
            "unit": self.unit,
            "unit_written": self.unit_written,
            "supervisor": self.supervisor,
            "project": self.project,
            "budget_initial": t.initial,
            "budget_full_year": t.full_year,
            "budget_executed": t.executed,
            "execution_rate_stated_pct": t.execution_rate_stated_pct,
            "execution_weight": self.execution_weight,
            "execution_score": self.execution_score,
            "stated_total": self.stated_total,
            "computed_total": self.computed_total,
            "weight_total": self.weight_total,
            "budget_lines": [b.truth() for b in self.budget_lines],
            "indicators": [i.truth() for i in self.indicators],
        }


@dataclass
class DocumentRec:
    """One file: a unit's department form and its project forms for one year."""

    unit: str
    unit_index: int
    year: int
    stem: str  # file name without extension; contains 示例数据
    forms: list[FormRec]
    key: str = ""  # seeds the writers' layout choices
    format: str = "txt"

    @property
    def file_name(self) -> str:
        return f"{self.stem}.{self.format}"

    def defects(self) -> list[dict]:
        out = []
        for k, f in enumerate(self.forms):
            for d in f.defects:
                out.append(
                    {
                        "rule": d.rule,
                        "cause": d.cause,
                        "file": self.file_name,
                        "form": k,
                        "kind": f.kind,
                        "project": f.project,
                        "unit": self.unit,
                        "year": self.year,
                        "indicator_seq": d.indicator_seq,
                        "budget_line": d.budget_line,
                        "detail": d.detail,
                    }
                )
        return out

    def truth(self) -> dict:
        return {
            "file": self.file_name,
            "unit": self.unit,
            "year": self.year,
            "forms": [f.truth() for f in self.forms],
        }
