"""Pure chart builders: a query's DataFrame in, a Plotly figure out. Nothing here reads the database or imports
streamlit, so the app, the exports and the report draw the same figures from the same rows.

    theme.py         the one theme: CJK font, colours (one status mapping everywhere), template, figure helpers
    scores.py        ranking, grade distribution, units across years
    distribution.py  histograms, quantile boxes, execution rate against score, execution rates
    indicators.py    drill-down treemap, one indicator across years, low-score watchlist
    quality.py       findings, stated against recomputed totals, self-score leniency

Labels and number formats are dashboard/labels.py.
"""

from dashboard.charts.distribution import box_chart, execution_rate_chart, execution_scatter, histogram_chart
from dashboard.charts.indicators import drill_treemap, indicator_chart, watchlist_chart
from dashboard.charts.quality import findings_chart, findings_rule_chart, leniency_chart, total_gap_chart
from dashboard.charts.scores import grade_chart, ranking_chart, year_trend_chart
from dashboard.charts.theme import (
    GRADE_COLORS,
    MUTED_COLOR,
    PRIMARY,
    SERIES_COLORS,
    SEVERITY_COLORS,
    STATUS_COLORS,
    TEMPLATE,
    TEXT_COLOR,
    add_note,
    empty_figure,
    unit_status,
)

__all__ = [
    "GRADE_COLORS",
    "MUTED_COLOR",
    "PRIMARY",
    "SERIES_COLORS",
    "SEVERITY_COLORS",
    "STATUS_COLORS",
    "TEMPLATE",
    "TEXT_COLOR",
    "add_note",
    "box_chart",
    "drill_treemap",
    "empty_figure",
    "execution_rate_chart",
    "execution_scatter",
    "findings_chart",
    "findings_rule_chart",
    "grade_chart",
    "histogram_chart",
    "indicator_chart",
    "leniency_chart",
    "ranking_chart",
    "total_gap_chart",
    "unit_status",
    "watchlist_chart",
    "year_trend_chart",
]
