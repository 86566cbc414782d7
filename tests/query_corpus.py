"""A tiny multi-unit, multi-year corpus for the query tests: rankings, ties, rank changes, year-over-year.

Every figure below is set by hand, so the expected results can be worked out on paper:

    project_form(hotline_score=h) computes 9 (execution) + 25 + h + 30 + 10 = 74 + h, of weight 100.
    department_form(lost=x) computes 10 + 20 + (50 − x) + 10 + 10 = 100 − x, of weight 100.

| unit | 2021 forms (computed total)           | unit score 2021 | 2022 forms (computed total)                   | unit score 2022 |
|------|---------------------------------------|-----------------|-----------------------------------------------|-----------------|
| 教育 | project h=20 → 94                      | 94 (mean)       | project h=5 → 79                               | 79 (mean)       |
| 卫健 | project h=20 → 94; project no scores, stated 94 | 94 (mean of 94, 94 stated) | project h=25 → 99             | 99 (mean)       |
| 交通 | project h=10 → 84                      | 84 (mean)       | department x=5 → 95; projects h=15 → 89, h=25 → 99 | 95 (department) |
| 示例 (demo) | —                              | —               | project h=25 → 99 (file marked 示例数据)          | 99 (mean)       |

Real data only, by computed total: 2021 教育 1, 卫健 1 (tie), 交通 3; 2022 卫健 1, 交通 2, 教育 3, so the rank
changes are 卫健 0, 交通 +1, 教育 −2. With the demo unit included, 2022 has 示例 and 卫健 tied at 1.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.load import ingest
from tests.formtext import project_form

EDU = "武威市教育局"
HEALTH = "武威市卫生健康委员会"
TRANSPORT = "武威市交通运输局"
DEMO = "示例市示例局"


def department_form(unit: str = TRANSPORT, year: int = 2022, lost: int = 0, total: int = 95) -> str:
    """A department form in the sample's layout: weights 10 (execution) + 20 + 50 + 10 + 10 = 100."""
    rows = [
        f"## {year}年{unit}整体支出绩效自评表",
        "",
        f"{unit}\t\t\t\t\t\t",
        "部门(单位)名称\t年初预算数\t全年预算数(A)\t实际支出数(B)\t执行率(B/A)\t分值\t得分",
        "部门(单位)整体支出 (万元)\t全年支出\t400\t500\t500\t100%\t10\t10",
        "\t其中:基本支出\t100\t150\t150\t100%\t—\t—",
        "\t项目支出\t300\t350\t350\t100%\t—\t—",
        "",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\t",
        "部门管理\t资金投入\t基本支出预算执行率\t100%\t100%\t20\t20\t无偏差\t",
        f"履职效果\t部门履职目标\t12345热线接通率\t≥95%\t90%\t50\t{50 - lost}\t接通率不高\t",
        "能力建设\t长效管理\t窗口服务长效管理\t健全\t健全\t10\t10\t无偏差\t",
        "服务对象满意度\t服务对象满意度\t群众满意度\t≥95%\t96%\t10\t10\t无偏差\t",
        f"合 计\t\t\t\t\t\t{total}\t",
    ]
    return "\n".join(rows) + "\n"


def without_scores(text: str) -> str:
    """The same project form with every score cell left empty (execution and indicators): computed total NULL."""
    out = []
    for line in text.splitlines():
        cells = line.split("\t")
        if line.startswith("\t年度资金总额"):
            cells[-1] = ""
        elif len(cells) >= 8 and cells[2].startswith("指标"):
            cells[6] = ""
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


def corpus_files() -> dict[str, str]:
    """File name -> text of every form in the corpus."""
    return {
        "edu_2021.txt": project_form(EDU, 2021, "校园安全经费", EDU, hotline_score=20, total=94),
        "health_2021.txt": project_form(HEALTH, 2021, "公共卫生服务经费", HEALTH, hotline_score=20, total=90),
        "health_2021_blank.txt": without_scores(project_form(HEALTH, 2021, "疫苗冷链经费", HEALTH, total=94)),
        "transport_2021.txt": project_form(
            TRANSPORT, 2021, "道路养护经费", TRANSPORT, hotline_score=10, total=84
        ),
        "edu_2022.txt": project_form(EDU, 2022, "校园安全经费", EDU, hotline_score=5, total=85),
        "health_2022.txt": project_form(HEALTH, 2022, "公共卫生服务经费", HEALTH, hotline_score=25, total=99),
        "transport_2022_dept.txt": department_form(TRANSPORT, 2022, lost=5, total=95),
        "transport_2022_roads.txt": project_form(
            TRANSPORT, 2022, "道路养护经费", TRANSPORT, hotline_score=15, total=89
        ),
        "transport_2022_rural.txt": project_form(
            TRANSPORT, 2022, "农村公路建设", TRANSPORT, hotline_score=25, total=99
        ),
        "示例数据_demo_2022.txt": project_form(DEMO, 2022, "示例项目", DEMO, hotline_score=25, total=99),
    }


def build_corpus_db(folder: Path) -> Path:
    """Write the corpus into `folder` and ingest it into folder/corpus.duckdb."""
    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name, text in corpus_files().items():
        (raw / name).write_text(text, encoding="utf-8")
    db = folder / "corpus.duckdb"
    summary = ingest([raw], db, workers=1)
    assert not summary.failed, summary.failed
    return db
