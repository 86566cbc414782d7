"""Domain vocabulary: the words that tell what a cell of a self-evaluation form is.

Rows are read by what their cells are, not by where they sit, so this module is the parser's memory of the
forms' language: level names, header words, budget line names and the qualitative values units write.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")

# Level-1 classes by form kind, and level-2 names with the level-1 class they belong to.
LEVEL1 = {
    "project": ("产出指标", "效益指标", "满意度指标"),
    "department": ("部门管理", "履职效果", "能力建设", "服务对象满意度", "预算执行"),
    # Scoring-criteria tables (评价指标体系: 决策 / 过程 / 产出 / 效益, or 项目决策 / 项目管理 / 项目绩效).
    "criteria": (
        "项目决策",
        "项目管理",
        "项目绩效",
        "项目过程",
        "部门决策",
        "综合管理",
        "部门绩效",
        "决策",
        "过程",
        "执行",
    ),
}
LEVEL1_ALIASES = {
    "产出": "产出指标",
    "效益": "效益指标",
    "满意度": "满意度指标",
    "部门管理指标": "部门管理",
    "履职效果指标": "履职效果",
    "能力建设指标": "能力建设",
    "服务对象满意度指标": "服务对象满意度",
    "预算执行率": "预算执行",
    "预算资金执行率": "预算执行",
}
LEVEL2_PARENT = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
    # Hubei's templates drop the 指标: 产出数量 / 社会效益 …
    "产出数量": "产出指标",
    "产出质量": "产出指标",
    "产出时效": "产出指标",
    "产出成本": "产出指标",
    "经济效益": "效益指标",
    "社会效益": "效益指标",
    "生态效益": "效益指标",
    "可持续影响": "效益指标",
    "资金投入": "部门管理",
    "财务管理": "部门管理",
    "采购管理": "部门管理",
    "资产管理": "部门管理",
    "人员管理": "部门管理",
    "重点工作管理": "部门管理",
    "部门履职目标": "履职效果",
    "社会影响": "履职效果",
    "长效管理": "能力建设",
    "科学决策": "项目决策",
    "项目立项": "项目决策",
    "资金管理": "项目管理",
    "组织实施": "项目管理",
    "项目执行": "项目管理",
    "投入管理": "项目管理",
    "项目完成": "项目绩效",
    "目标任务": "部门决策",
    "预算编制": "部门决策",
}

# Level-1 weight norms the standard notes set, used when a form's own notes do not state them.
DEFAULT_LEVEL1_NORMS = {
    "project": {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0, "预算执行": 10.0},
    "department": {
        "预算执行": 10.0,
        "部门管理": 20.0,
        "履职效果": 50.0,
        "能力建设": 10.0,
        "服务对象满意度": 10.0,
    },
}

# Words of a table's caption column that are neither levels nor indicators.
SECTION_LABELS = {"绩效指标", "评价指标", "指标", "绩效指标完成情况"}

TOTAL_LABELS = {"合计", "总分", "总计", "得分合计", "总得分", "自评总分", "综合得分"}

# Header words of the indicator table, by column role. First match wins, so longer words come first.
INDICATOR_HEADER = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "target": ("年度指标值", "预期指标值", "指标值", "目标值"),
    "actual": ("实际完成值", "全年实际值", "完成值", "实际值"),
    "weight": ("分值", "权重"),
    "score": ("得分",),
    "note": ("偏差原因", "原因分析", "未完成原因", "备注"),
    "op": ("指标性质",),
    "unit": ("度量单位", "计量单位"),
}

BUDGET_HEADER = {
    "initial": ("年初预算",),
    "full_year": ("全年预算", "调整后预算"),
    "executed": ("实际支出", "全年执行", "预算执行数", "执行数"),
    "rate": ("执行率",),
    "weight": ("分值", "权重"),
    "score": ("得分",),
    "reason": ("原因",),
}

# Budget line names; the first group names the block's total line.
BUDGET_TOTAL_LINES = ("全年支出", "年度资金总额", "资金总额", "合计", "总计", "年度资金")
BUDGET_LINE_PREFIX = re.compile(r"^(其中|其|中)\s*[:：]\s*")

QUALITATIVE_VALUES = {
    "优",
    "良",
    "良好",
    "中",
    "差",
    "优秀",
    "及时",
    "健全",
    "规范",
    "完备",
    "完善",
    "提升",
    "提高",
    "降低",
    "下降",
    "稳定",
    "正常",
    "标准",
    "无",
    "有",
    "是",
    "否",
    "达标",
    "合格",
    "足额缴纳",
    "有待提升",
    "明显提升",
    "显著",
    "有效",
    "满意",
    "基本满意",
    "完成",
    "已完成",
    "未完成",
    "按时",
    "按期",
    "逐步提高",
    "持续提升",
    "增强",
    "改善",
    "保持稳定",
    "不断提升",
    "较好",
    "好",
    "高",
    "低",
    "长期",
    "持续",
    "安全",
    "准确",
    "全覆盖",
    "全面",
    "一般",
}
QUALITATIVE_PATTERN = re.compile(r"(以上|以下|以内|左右|之内)$")

NO_DEVIATION = {
    "无偏差",
    "无",
    "/",
    "-",
    "—",
    "无偏差。",
    "无差异",
    "不存在偏差",
    "没有偏差",
    "已完成",
    "完成",
}

ORG_SUFFIX = re.compile(
    r"(办公室|办公厅|中心|局|委员会|委|厅|院|所|站|队|政府|部|处|室|馆|学校|医院|协会|联合会|集团)$"
)


@functools.lru_cache(maxsize=1 << 16)
def normalize_key(text: str) -> str:
    """Form a matching key: Simplified, NFKC (full-width -> half-width), no whitespace."""
    text = unicodedata.normalize("NFKC", _T2S.convert(text))
    return re.sub(r"\s+", "", text)


def original_span(pattern: re.Pattern[str], text: str, group: str) -> str | None:
    """Match `pattern` against the key of `text` (Simplified, half-width, no spaces) but return the group as it
    is written in `text`, so a Traditional or full-width name keeps its original characters."""
    key_chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for k in normalize_key(ch):
            key_chars.append(k)
            origin.append(i)
    m = pattern.search("".join(key_chars))
    if not m or m.group(group) is None or m.start(group) == m.end(group):
        return None
    return text[origin[m.start(group)] : origin[m.end(group) - 1] + 1].strip()


_WEIGHT_SUFFIX = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分?\s*[)）]$")


@functools.lru_cache(maxsize=1 << 16)
def level_key(text: str) -> str:
    """Key of a level name: `产出指标(50分)`, `产 出 指 标` and `產出指標` all give `产出指标`."""
    return _WEIGHT_SUFFIX.sub("", normalize_key(text))


@functools.lru_cache(maxsize=1 << 16)
def level1_name(text: str, kind: str | None = None) -> str | None:
    """The canonical level-1 class a cell names, or None."""
    key = level_key(text)
    key = LEVEL1_ALIASES.get(key, key)
    kinds = [kind] if kind in LEVEL1 else list(LEVEL1)
    for k in kinds:
        if key in LEVEL1[k]:
            return key
    # Department classes also appear on project forms of some provinces and vice versa.
    for names in LEVEL1.values():
        if key in names:
            return key
    return None


@functools.lru_cache(maxsize=1 << 16)
def level2_name(text: str) -> str | None:
    key = level_key(text)
    return key if key in LEVEL2_PARENT else None


@functools.lru_cache(maxsize=1 << 16)
def is_section_label(text: str) -> bool:
    return level_key(text) in SECTION_LABELS


@functools.lru_cache(maxsize=1 << 16)
def is_total_label(text: str) -> bool:
    return level_key(text) in TOTAL_LABELS


@functools.lru_cache(maxsize=1 << 16)
def is_no_deviation(note: str | None) -> bool:
    return note is None or normalize_key(note) in NO_DEVIATION


def header_role(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    return _header_role(text, id(table))


_TABLES: dict[int, dict[str, tuple[str, ...]]] = {}


@functools.lru_cache(maxsize=1 << 16)
def _header_role(text: str, table_id: int) -> str | None:
    key = normalize_key(text)
    for role, words in _TABLES[table_id].items():
        if any(w in key for w in words):
            return role
    return None


# Whole cells that are labels of a form's blocks; a broken cell is rejoined when its halves form one of these.
KNOWN_LABELS = {
    normalize_key(w)
    for w in (
        "项目名称",
        "主管部门",
        "实施单位",
        "项目实施单位",
        "部门名称",
        "单位名称",
        "部门(单位)名称",
        "预算单位",
        "项目资金(万元)",
        "部门(单位)整体支出(万元)",
        "年度资金总额",
        "全年支出",
        "基本支出",
        "项目支出",
        "其中:基本支出",
        "其中：当年财政拨款",
        "其中:当年财政拨款",
        "当年财政拨款",
        "上年结转资金",
        "其他资金",
        "财政资金",
        "其中:财政资金",
        "财政专户管理资金",
        "单位资金",
        "年度总体目标",
        "预期目标",
        "实际完成情况",
        "目标实际完成情况",
        "年度总体绩效目标完成情况",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "权重",
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "执行率",
        "调整后预算数",
        "预算执行数",
        "预算执行率",
        "绩效指标",
        "评价结论",
        "存在问题",
        "改进措施",
        "项目负责人",
        "财务负责人",
        *TOTAL_LABELS,
    )
}


for _table in (INDICATOR_HEADER, BUDGET_HEADER):
    _TABLES[id(_table)] = _table
