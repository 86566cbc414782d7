"""What every page, chart, export, CLI table and report says the same way: labels of codes, thresholds.

Pure (no streamlit, no database). The SQL side has its own copy of the one threshold (views.sql
`points_epsilon()`); a test pins that they agree.
"""

from __future__ import annotations

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


def level1_label(value: str | None) -> str:
    return ALL if value is None else value


def year_label(value: int | None) -> str:
    return ALL if value is None else str(value)


def severity_label(value: str | None) -> str:
    return "" if value is None else SEVERITY_LABELS.get(value, value)
