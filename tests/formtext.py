"""Tiny hand-written forms in the sample's text layout, for tests of ingest behaviour."""

from __future__ import annotations


def project_form(
    unit: str = "武威市教育局",
    year: int = 2022,
    project: str = "校园安全经费",
    supervisor: str = "武威市教育局",
    hotline_score: int = 3,
    total: int = 99,
) -> str:
    rows = [
        f"## {year}年{unit}预算项目支出绩效自评表",
        "",
        f"项目名称\t{project}\t\t\t\t\t\t",
        f"主管部门\t{supervisor}\t\t\t实施单位\t{unit}\t\t",
        "项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分",
        "\t年度资金总额\t100\t120\t108\t10\t90%\t9",
        "\t其中：当年财政拨款\t100\t120\t108\t—\t90%\t—",
        "年度总体目标\t预期目标\t\t\t实际完成情况\t\t\t",
        "\t保障校园安全\t\t\t已完成\t\t\t",
        "",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\t",
        "产出指标\t数量指标\t指标1: 安保人员\t≥20人\t22人\t25\t25\t无偏差\t",
        "\t质量指标\t指标1: 群众来电咨询接听率\t100%\t87%\t25\t" + str(hotline_score) + "\t接通率不高\t",
        "效益指标\t社会效益指标\t指标1: 安全事故\t0\t0\t30\t30\t无偏差\t",
        "满意度指标\t服务对象满意度指标\t指标1: 家长满意度\t≥95%\t96%\t10\t10\t无偏差\t",
        f"总分\t\t\t\t\t100\t{total}\t\t",
    ]
    return "\n".join(rows) + "\n"
