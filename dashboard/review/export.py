"""The 复核清单 as an XLSX workbook for the review team: the list, the rows that triggered it, the groups of
similar notes and the rules with the weights used. Form text is written as text, never as a formula or link."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd
import xlsxwriter

from dashboard import cell_safety

# Chinese headers of each sheet, in order (column -> header).
PRIORITY_COLUMNS = {
    "rank": "复核顺序",
    "unit": "单位",
    "year": "年度",
    "kind_label": "类型",
    "form": "自评表",
    "priority_score": "复核优先分",
    "n_signals": "信号数",
    "reasons": "复核理由",
    "review_status": "复核状态",
    "reviewed_by": "复核人",
    "reviewed_at": "复核时间",
    "stated_total": "填报总分",
    "computed_total": "核算总分",
    "file_name": "来源文件",
    "source_line": "行号",
}
SIGNAL_COLUMNS = {
    "unit": "单位",
    "year": "年度",
    "form": "自评表",
    "group_label": "类别",
    "signal_label": "信号",
    "indicator": "指标",
    "budget_line": "预算行",
    "detail": "触发情况",
    "file_name": "来源文件",
    "source_line": "行号",
    "source_ref": "位置",
}
GROUP_COLUMNS = {
    "group_id": "雷同组",
    "unit": "单位",
    "year": "年度",
    "form": "自评表",
    "indicator": "指标",
    "note": "偏差说明",
    "n_units": "组内单位数",
    "n_years": "组内年度数",
}
RULE_COLUMNS = {
    "group_label": "类别",
    "signal_label": "信号",
    "weight": "权重",
    "rule": "判定规则",
}
KIND_LABELS = {"department": "部门整体", "project": "项目"}


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _cell(value: object) -> object:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):  # NaN, NaT, NA
        return ""
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def _sheet(book: xlsxwriter.Workbook, name: str, df: pd.DataFrame, columns: Mapping[str, str]) -> None:
    ws = book.add_worksheet(name)
    cells = cell_safety.CellWriter(book)
    header = {"bold": True, "bg_color": "#eef2f7", "border": 1, "text_wrap": True}
    wrap = {"text_wrap": True, "valign": "top"}
    cols = [c for c in columns if c in df.columns]
    for j, col in enumerate(cols):
        cells.write(ws, 0, j, columns[col], header)
        values = [_cell(v) for v in df[col]]
        width = max([_width(columns[col])] + [_width(str(v)) for v in values[:500]])
        ws.set_column(j, j, min(max(width + 2, 6), 60), cells.format(wrap) if width > 60 else None)
        for i, v in enumerate(values, start=1):
            if v == "":
                continue  # an empty cell stays empty
            # text is a string cell, never a formula, even when it starts with "=" (then with Excel's apostrophe)
            cells.write(ws, i, j, v, wrap if width > 60 and isinstance(v, str) else None)
    ws.freeze_panes(1, 0)
    if cols:
        ws.autofilter(0, 0, max(len(df), 1), len(cols) - 1)


def _prepared(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    if "kind" in out.columns:
        out["kind_label"] = out["kind"].map(KIND_LABELS).fillna(out["kind"])
    if "path" in out.columns:
        out["file_name"] = out["path"].map(
            lambda p: str(p).replace("\\", "/").rsplit("/", 1)[-1] if p else ""
        )
    return out


def review_xlsx(
    priority: pd.DataFrame,
    signal_rows: pd.DataFrame,
    groups: pd.DataFrame,
    rules: pd.DataFrame,
) -> bytes:
    """The workbook: 复核清单, 触发明细, 雷同说明, 规则与权重 (rules with a `weight` column)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **cell_safety.WORKBOOK_OPTIONS})
    _sheet(book, "复核清单", _prepared(priority), PRIORITY_COLUMNS)
    _sheet(book, "触发明细", _prepared(signal_rows), SIGNAL_COLUMNS)
    _sheet(book, "雷同说明", _prepared(groups), GROUP_COLUMNS)
    _sheet(book, "规则与权重", rules, RULE_COLUMNS)
    book.close()
    return out.getvalue()
