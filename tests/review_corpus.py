"""A tiny hand-made corpus for the review signals: five project forms in the sample's text layout, each figure
chosen so the signals that fire can be worked out on paper (see tests/test_review_signals.py).

    甲局 2022 甲项目  execution 100 / 100 / 110 executed (10 of 10): 110% → executed_over_budget (10 万元 over)
        数量 ≥100件 → 90件, 20/20: ratio 0.9, rule score 18 → lenient_score (+2) and full_score_target_missed
        质量 提升 → 提升, 20/20: vague_target (提升)
        时效 ≥10件 → 20件, 20/20: 2 × the target → target_far_exceeded (2)
        效益 ≥5 → 6, 20/18, 无偏差: no unit → target_without_unit; 2 lost, no reason → lost_no_reason
        满意度 ≥90% → 95%, 10/9, 略低: 1 lost with a 2-character note → short_note
        stated 99, computed 10 + 20 + 20 + 20 + 18 + 9 = 97 → total_above_computed (+2)
    乙局 2021 and 2022 乙项目  execution 50 / 50 / 50 (10 of 10): every line exactly 100% both years →
        execution_always_100 on the 2022 form (2021 has no year before it)
        2022: 培训人数 =30人 → 30人, 改造面积 ≥200平方米 → 200平方米, 宣传次数 ≥4次 → 4次, each 30/30: all three
        exactly at their target → all_at_target; 10 + 90 = 100 of 100 → full_marks (1 of 1 form that year)
        2021: the same items below target (25人, 180平方米, 3次) yet 30/30 each → full_score_target_missed ×3 and
        lenient_score ×3 (rule scores 30 × 25/30 = 25, 30 × 0.9 = 27, 30 × 0.75 = 22.5: +5, +3, +7.5);
        full_marks (1 of 1)
    丙局 2021 and 2022 丙项目  execution 80 / 80 / 72 (9 of 10). 培训人次 ≥100人: 2021 → 120人 (met), 2022 →
        130人 with the same target → target_unchanged on the 2022 row (+10). 2022 has 3 qualitative items (规范,
        健全, 及时) of 4 → few_quantitative (1 of 4 quantitative); its 培训人次 lost 1 point with NOTE_A
    丁局 2021 丁项目  execution 60 / 60 / 54 (9 of 10). 服务次数 ≥50次 → 40次, 45 of 50 with NOTE_B: ratio 0.8,
        rule score 40 → lenient_score (+5). NOTE_A and NOTE_B differ in two characters: one group over 2 units and
        2 years → similar_note on both rows
"""

from __future__ import annotations

from pathlib import Path

NOTE_A = "受上级资金下达时间较晚影响，项目实施进度有所滞后，下一步将加强统筹，加快推进项目实施。"
NOTE_B = "受上级资金下达时间较晚影响，项目实施进度有所滞后，下一步将加强统筹，加快推进工作实施。"

Row = tuple[
    str, str, str, str, str, float, float, str
]  # level1, level2, name, target, actual, weight, score, note


def form(
    unit: str,
    year: int,
    project: str,
    rows: list[Row],
    budget: tuple[float, float, float] = (100, 100, 100),
    execution: tuple[float, float] = (10, 10),
    total: float | None = None,
) -> str:
    initial, full, executed = budget
    rate = f"{executed / full * 100:g}%"
    weight_e, score_e = execution
    computed = score_e + sum(r[6] for r in rows)
    lines = [
        f"## {year}年{unit}预算项目支出绩效自评表",
        "",
        f"项目名称\t{project}\t\t\t\t\t\t",
        f"主管部门\t{unit}\t\t\t实施单位\t{unit}\t\t",
        "项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分",
        f"\t年度资金总额\t{initial:g}\t{full:g}\t{executed:g}\t{weight_e:g}\t{rate}\t{score_e:g}",
        f"\t其中：当年财政拨款\t{initial:g}\t{full:g}\t{executed:g}\t—\t{rate}\t—",
        "年度总体目标\t预期目标\t\t\t实际完成情况\t\t\t",
        f"\t完成{project}\t\t\t已完成\t\t\t",
        "",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\t",
    ]
    for n, (l1, l2, name, target, actual, weight, score, note) in enumerate(rows, start=1):
        lines.append(f"{l1}\t{l2}\t指标{n}: {name}\t{target}\t{actual}\t{weight:g}\t{score:g}\t{note}\t")
    lines.append(f"总分\t\t\t\t\t100\t{(computed if total is None else total):g}\t\t")
    return "\n".join(lines) + "\n"


def corpus_files() -> dict[str, str]:
    return {
        "jia_2022.txt": form(
            "甲局",
            2022,
            "甲项目",
            [
                ("产出指标", "数量指标", "服务件数", "≥100件", "90件", 20, 20, "无偏差"),
                ("产出指标", "质量指标", "服务质量", "提升", "提升", 20, 20, "无偏差"),
                ("产出指标", "时效指标", "办结件数", "≥10件", "20件", 20, 20, "无偏差"),
                ("效益指标", "社会效益指标", "受益村数", "≥5", "6", 20, 18, "无偏差"),
                ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10, 9, "略低"),
            ],
            budget=(100, 100, 110),
            total=99,
        ),
        "yi_2021.txt": form(
            "乙局",
            2021,
            "乙项目",
            [
                ("产出指标", "数量指标", "培训人数", "=30人", "25人", 30, 30, "无偏差"),
                ("产出指标", "数量指标", "改造面积", "≥200平方米", "180平方米", 30, 30, "无偏差"),
                ("效益指标", "社会效益指标", "宣传次数", "≥4次", "3次", 30, 30, "无偏差"),
            ],
            budget=(50, 50, 50),
        ),
        "yi_2022.txt": form(
            "乙局",
            2022,
            "乙项目",
            [
                ("产出指标", "数量指标", "培训人数", "=30人", "30人", 30, 30, "无偏差"),
                ("产出指标", "数量指标", "改造面积", "≥200平方米", "200平方米", 30, 30, "无偏差"),
                ("效益指标", "社会效益指标", "宣传次数", "≥4次", "4次", 30, 30, "无偏差"),
            ],
            budget=(50, 50, 50),
        ),
        "bing_2021.txt": form(
            "丙局",
            2021,
            "丙项目",
            [
                ("产出指标", "数量指标", "培训人次", "≥100人", "120人", 40, 40, "无偏差"),
                ("产出指标", "数量指标", "培训场次", "≥10场", "12场", 50, 50, "无偏差"),
            ],
            budget=(80, 80, 72),
            execution=(10, 9),
        ),
        "bing_2022.txt": form(
            "丙局",
            2022,
            "丙项目",
            [
                ("产出指标", "数量指标", "培训人次", "≥100人", "130人", 25, 24, NOTE_A),
                ("产出指标", "质量指标", "资金使用", "规范", "规范", 25, 25, "无偏差"),
                ("产出指标", "质量指标", "管理制度", "健全", "健全", 20, 20, "无偏差"),
                ("效益指标", "社会效益指标", "工作开展", "及时", "及时", 20, 20, "无偏差"),
            ],
            budget=(80, 80, 72),
            execution=(10, 9),
        ),
        "ding_2021.txt": form(
            "丁局",
            2021,
            "丁项目",
            [
                ("产出指标", "数量指标", "服务次数", "≥50次", "40次", 50, 45, NOTE_B),
                ("效益指标", "社会效益指标", "覆盖人数", "≥1000人", "1100人", 40, 40, "无偏差"),
            ],
            budget=(60, 60, 54),
            execution=(10, 9),
        ),
    }


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in corpus_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
