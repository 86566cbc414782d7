"""What every page, chart, export, CLI table and report says the same way: labels of codes, number formats
(万元 / 亿元, %, 分, signed changes) and thresholds.

Pure (no streamlit, no database). The SQL side has its own copy of the one threshold (views.sql
`points_epsilon()`); a test pins that they agree.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

# Points lost below this are rounding noise (weights and scores are written with up to 4 decimals).
POINTS_EPSILON = 0.00005

ALL = "全部"
SYNTHETIC_NOTE = "示例数据（虚构，非真实数字）"

DATASET_LABELS = {"real": "真实数据", "demo": "示例数据"}
KIND_LABELS = {"department": "部门整体", "project": "项目"}  # in filters and tables
KIND_FORM_LABELS = {"department": "部门整体支出", "project": "项目支出"}  # in prose: …自评表
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def is_lost(points_lost: float | None) -> bool:
    """Whether an item lost points (as views.sql `is_lost`): weight − score above the noise threshold."""
    return points_lost is not None and points_lost == points_lost and points_lost > POINTS_EPSILON


def dataset_label(value: str | None) -> str:
    return "全部（真实 + 示例）" if value is None else DATASET_LABELS.get(value, value)


def kind_label(value: str | None) -> str:
    return ALL if value is None else KIND_LABELS.get(value, value)


# How a text file was decoded (Document.encoding): shown beside each file on the import page.
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带 BOM）",
    "gb18030": "GB18030 / GBK",
    "utf-16-le": "UTF-16 LE（Unicode 文本）",
    "utf-16-be": "UTF-16 BE（Unicode 文本）",
}


def encoding_label(value: str | None) -> str:
    """'—' for containers that are not text (Excel, Word, PDF, scans)."""
    return MISSING if not value else ENCODING_LABELS.get(value, value.upper())


def level1_label(value: str | None) -> str:
    return ALL if value is None else value


def year_label(value: int | None) -> str:
    return ALL if value is None else str(value)


def severity_label(value: str | None) -> str:
    return "" if value is None else SEVERITY_LABELS.get(value, value)


# -- labels of the status, grade, metric and measure codes -----------------------------------------------------
STATUS_LABELS = {
    "ok": "达标",
    "target_missed": "未达目标（未扣分）",
    "lost_points": "扣分",
    "no_score": "无分值",
}
STATUS_ORDER = ("lost_points", "target_missed", "ok", "no_score")

GRADE_ORDER = ("优", "良", "中", "差")

# The score decision: the score a form reports (填报总分, 自评得分) is the official one and leads everywhere;
# 核算得分 = Σ得分 / Σ分值 × 100 (budget item included) stands beside it; Σ得分 (the raw sum) is for auditors.
SCORE_LABEL = "自评得分"
RECOMPUTED_LABEL = "核算得分"
RAW_SUM_LABEL = "得分合计（Σ得分）"
SCORE_GAP_LABEL = "差异（自评−核算）"
RECOMPUTED_GRADE_LABEL = "核算后等级"
SCORE_GAP_FLAG = 0.5  # points: a reported score and its 核算得分 further apart than this are flagged
SCORE_NOTE = (
    "自评得分为自评表填报的总分（正式得分）；核算得分 = 各项得分之和 ÷ 各项分值之和 × 100（含预算执行率），"
    "两者相差超过0.5分时标注“⚑”。未填报总分的表按核算得分计，并注明。"
)

METRICS = {
    "total": SCORE_LABEL,
    "recomputed_score": RECOMPUTED_LABEL,
    "execution_rate": "预算执行率",
    "points_lost_share": "扣分占比",
    "findings": "核查发现数",
}
METRIC_UNITS = {
    "total": "分",
    "recomputed_score": "分",
    "execution_rate": "%",
    "points_lost_share": "%",
    "findings": "条",
}

MEASURES = {
    "score_pct": ("指标得分率", "%"),
    "total": (SCORE_LABEL, "分"),
    "recomputed_score": (RECOMPUTED_LABEL, "分"),
}
BASIS_LABELS = {"stated": "填报", "recomputed": "按核算得分（未填报总分）", "computed": "核算"}
SCORE_BASIS_LABELS = {"department": "部门整体自评表", "projects_mean": "项目自评表平均"}

# One graded scale for every colour of units and indicators: the grade bands of grade_scale (views.sql) applied to
# a unit's score and to an indicator's 得分率 (score ÷ weight × 100).
GRADE_BANDS = {"优": "90分及以上", "良": "80–90分", "中": "60–80分", "差": "60分以下"}
GRADE_MIN = (("优", 90.0), ("良", 80.0), ("中", 60.0), ("差", float("-inf")))
NO_GRADE = "无得分"


def grade_of(x: Any) -> str:
    """The grade of a score on the 100-point scale (half-open bands, as grade_scale): 89.5 -> '良'."""
    if is_missing(x):
        return NO_GRADE
    return next(g for g, low in GRADE_MIN if float(x) >= low)


def first_year_text(x: Any) -> str:
    """A previous-year figure: the value, or 首年 when the unit was not there the year before."""
    return "首年" if is_missing(x) else fmt_number(x)


GROUPS = {"level1": "一级指标", "unit": "单位", "year": "年度", "kind": "表格类型", "all": "全部"}


# -- number formats ----------------------------------------------------------------------------------------------
def is_missing(x: Any) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return bool(isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x: Any, digits: int = 2) -> str:
    """12345.6 -> '12,345.6'; trailing zeros dropped; '—' for a missing value."""
    if is_missing(x):
        return "—"
    text = f"{float(x):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_wan(x: Any, digits: int = 2) -> str:
    """Money held in 万元: '291.54万元'; 10,000 万元 and more as 亿元 ('1.23亿元')."""
    if is_missing(x):
        return "—"
    v = float(x)
    if abs(v) >= 10000:
        return f"{fmt_number(v / 10000, digits)}亿元"
    return f"{fmt_number(v, digits)}万元"


def fmt_pct(x: Any, digits: int = 1) -> str:
    """A percentage held as 0–100: 87 -> '87%', 99.53 -> '99.5%'."""
    if is_missing(x):
        return "—"
    return f"{fmt_number(x, digits)}%"


def fmt_score(x: Any, digits: int = 2) -> str:
    """Points: 93 -> '93分', 88.5 -> '88.5分'."""
    if is_missing(x):
        return "—"
    return f"{fmt_number(x, digits)}分"


def fmt_exact(x: Any) -> str:
    """A value as stored, up to 4 decimals (hover text)."""
    return fmt_number(x, 4)


def fmt_value(x: Any, unit: str | None, digits: int = 2) -> str:
    """A value with its unit: '%' right after the number, 万元/亿元 the Chinese way, anything else appended."""
    if is_missing(x):
        return "—"
    if unit == "%":
        return fmt_pct(x, digits)
    if unit == "分":
        return fmt_score(x, digits)
    if unit in ("万元", "wan"):
        return fmt_wan(x, digits)
    return f"{fmt_number(x, digits)}{unit or ''}"


def fmt_signed(x: Any, unit: str = "", digits: int = 2, ascii_minus: bool = False) -> str:
    """A change with its sign: '+2.5分', '−1个' (a real minus sign; ASCII '-' for st.metric, which reads the
    direction from it), '0' for no change."""
    if is_missing(x):
        return "—"
    v = float(x)
    if abs(v) < 10 ** -(digits + 1) or fmt_number(abs(v), digits) == "0":  # −0.0017 shows as 0, not −0
        return f"0{unit}"
    sign = "+" if v > 0 else ("-" if ascii_minus else "−")
    return f"{sign}{fmt_number(abs(v), digits)}{unit}"


def fmt_rank_change(x: Any) -> str:
    """Rank change (previous − current): '↑3', '↓2', '—' (same or new)."""
    if is_missing(x) or int(x) == 0:
        return "—" if is_missing(x) else "持平"
    return f"↑{int(x)}" if x > 0 else f"↓{-int(x)}"


def short(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis (axis labels; the hover keeps the whole text)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def metric_value_text(metric: str, x: Any) -> str:
    unit = METRIC_UNITS.get(metric, "")
    if unit == "条":
        return "—" if is_missing(x) else f"{int(x)}条"
    return fmt_value(x, unit)


def as_int(x: Any) -> int:
    """A count as an int (0 for a missing value)."""
    return 0 if is_missing(x) else int(x)


def fmt_count(x: Any, unit: str) -> str:
    """'12个', '3条'; '—' for a missing value."""
    return "—" if is_missing(x) else f"{int(x)}{unit}"


def fmt_pct_change(x: Any) -> str:
    """A change of a rate: '+0.6个百分点'."""
    return fmt_signed(x, "个百分点", 1)


def fmt_money(x: Any) -> str:
    """An amount in 万元 for a column headed （万元）: '13,577.40'."""
    return "—" if is_missing(x) else f"{float(x):,.2f}"


def fmt_text(x: Any) -> str:
    """Form text on one line (whitespace collapsed); '—' when missing or blank."""
    if is_missing(x):
        return "—"
    text = " ".join(str(x).split())
    return text or "—"


def fmt_cut(x: Any, limit: int) -> str:
    """fmt_text cut after `limit` characters with an ellipsis."""
    text = fmt_text(x)
    return text if len(text) <= limit else text[: limit - 1].rstrip("，,；; ") + "…"


# -- findings: business problems for leaders, parser notes for the analyst ------------------------------------------
# Rules that describe how a file was read, not how a unit performed: shown on 数据质量's 解析说明 tab only.
PARSER_RULES = frozenset(
    {
        "extra_cells",
        "glued_label",
        "project_name_from_title",
        "missing_budget_cell",
        "unparsed_row",
        "truncated",
    }
)
RULE_ADVICE = {
    "total_mismatch": "填报总分与各项得分之和不符：请单位核对总分或各项得分，以核算得分复核等级。",
    "weights_not_100": "各项分值合计不是100分：请单位按填报说明调整分值，总分才可在百分制下比较。",
    "level1_weight_off_norm": "一级指标分值与填报说明规定的权重不符：请单位按规定权重重新分配分值。",
    "unexplained_deduction": "扣了分却没有写偏差原因：请单位补充偏差原因及改进措施。",
    "duplicate_indicator": "同一指标填了两次：请单位删除重复行后重新报送。",
    "score_out_of_range": "得分超过分值或为负数：请单位更正得分。",
    "full_score_target_missed": "实际值未达到目标却得满分：请单位说明理由或按实际完成情况扣分。",
    "execution_rate_mismatch": "填报的执行率与执行数 ÷ 全年预算数不符：请单位核对预算执行数据。",
    "unnamed_indicator": "指标没有名称：请单位补全三级指标名称。",
    "project_budget_mismatch": "部门整体表的项目支出与各项目表预算合计不符：请核对部门与项目的预算口径。",
    "copied_note": "偏差说明与其他单位完全相同：请单位据实填写本单位的偏差原因。",
    "full_score_with_note": "得满分却写了偏差说明：请单位确认是否应扣分。",
    "missing_total": "表中没有合计行：请单位补填总分。",
    "missing_score": "指标缺少得分：请单位补填得分。",
    "missing_metadata": "缺少年度或单位名称，无法参与排名：请补全表头信息。",
}


# -- tables as shown and as exported -------------------------------------------------------------------------------
# Column kinds of a page table: (decimals shown, unit put in the export header, Excel number format).
COLUMN_KINDS: dict[str, tuple[int | None, str, str | None]] = {
    "score": (2, "分", "0.00"),
    "pct": (1, "%", '0.0"%"'),
    "wan": (2, "万元", "#,##0.00"),
    "int": (0, "", "0"),
}
MISSING = "—"


def header_with_unit(label: str, kind: str) -> str:
    """'自评得分' + score -> '自评得分（分）' (the unit once, not when the label already names it)."""
    unit = COLUMN_KINDS.get(kind, (None, "", None))[1]
    if not unit or f"（{unit}" in label:
        return label
    return f"{label}（{unit}）"


def shown_values(values: pd.Series, kind: str) -> pd.Series:
    """A column as the table shows it: numbers rounded to the decimals shown (so an export holds what the screen
    shows: 1.44, not 1.4399999999999995), text collapsed to one line, '—' for missing text."""
    if kind in COLUMN_KINDS:
        digits = COLUMN_KINDS[kind][0]
        numbers = pd.to_numeric(values, errors="coerce")
        if kind == "int":
            return numbers.round(0).astype("Int64")
        return numbers.round(digits)
    if kind in ("text", "long", "name"):
        return values.map(fmt_text).astype(object)
    return values


def export_frame(df: pd.DataFrame, spec: dict[str, tuple[str, str]]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of a table as exported: the columns shown (links left out), rounded as shown, headers with their
    units (分, %, 万元), '—' where the screen shows '—'; and the Excel number format of each header."""
    cols = [c for c in spec if c in df.columns and spec[c][1] != "link"]
    out = pd.DataFrame(index=df.index)
    formats: dict[str, str] = {}
    for c in cols:
        label, kind = spec[c]
        header = header_with_unit(label, kind)
        values = shown_values(df[c], kind)
        if kind == "bool":
            values = values.map(lambda v: MISSING if is_missing(v) else ("是" if v else "否"))
        elif kind in COLUMN_KINDS and values.isna().any():
            values = values.astype(object).where(values.notna(), MISSING)
        out[header] = values
        fmt = COLUMN_KINDS.get(kind, (None, "", None))[2]
        if fmt:
            formats[header] = fmt
    return out.reset_index(drop=True), formats
