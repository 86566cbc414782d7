"""The report's 复核建议 section: the forms to re-check first and each unit's most common weaknesses, from the
same review queries as the 复核清单 page (figures of test_queries_units.py's corpus, 2022, two units)."""

from __future__ import annotations

from query_corpus import EDU, TRANSPORT

from dashboard.db import query_runner
from dashboard.report.gather import gather
from dashboard.selection import Selection


def test_the_review_section_lists_the_forms_and_weaknesses(corpus_con):
    content = gather(
        Selection(dataset="real", year=2022, units=(EDU, TRANSPORT)), run=query_runner(corpus_con)
    )
    forms = content.review_forms
    assert forms is not None and forms.headers == ["顺序", "单位", "自评表", "优先分", "复核理由", "状态"]
    # 农村公路建设: lenient 3 + full score on a missed target 3 + a target without a unit 0.5; 4 forms flagged
    assert forms.rows[0][:4] == ["1", TRANSPORT, "农村公路建设", "6.5"]
    assert (
        forms.rows[0][4].startswith("1项定量指标自评分高于评分规则，共多3.25分")
        and forms.rows[0][5] == "待复核"
    )
    assert len(forms.rows) == 4 and "4张触发了至少一项信号" in content.review_intro
    units = {r[0]: r for r in content.review_units.rows}
    assert units[TRANSPORT][1] == "3" and units[EDU][1] == "1"
    # TRANSPORT: 安全事故's unit-less target on the roads and rural forms, the 5-character 接通率不高 notes on the
    # department and roads forms, then the one-form signals in rule order (lenient first)
    assert (
        units[TRANSPORT][2]
        == "定量目标无计量单位（2张表）；偏差说明过短（2张表）；自评分高于评分规则（1张表）"
    )
