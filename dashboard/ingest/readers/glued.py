"""Text whose cells ran together: document-sharing sites and OCR dumps print a whole form as one line.

`…资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10其中:…` has no separator
at all. `unglue` puts the cells back apart, as spaces, so the parser reads the line like any web copy whose cells
are separated by single spaces:

1. at the words of the form's own vocabulary (header words of templates.toml, the block labels, level names),
   matched on the Simplified text, longest first;
2. between text and a figure (`…水标尺10≥266米≥266米10…`): a figure is an optional comparator, a number and an
   optional unit; digits inside a name (`指标1`, `12345热线`, `(含80%)`) stay where they are;
3. a run of digits that holds several figures is cut where the form's arithmetic agrees: `202010100.00%10` is
   20 / 20 / 10 / 100.00% / 10 because 20/20 = 100.00% and 10 × 100% = 10; `20100%` is a weight 20 before 100%;
   `100100` is 100 twice; a doubled text (`显著提升显著提升`, target and actual alike) is cut in its middle.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

from dashboard.ingest.templates import _data as _templates
from dashboard.ingest.values import _UNIT_WORDS
from dashboard.ingest.vocab import _T2S, KNOWN_LABELS, LEVEL1, LEVEL1_ALIASES, LEVEL2_PARENT, TOTAL_LABELS

_CJK = "\u3400-\u9fff"
_OPS = "≥≤><=＝﹦≧≦"
# Words that cut a glued line; two-character words only from this list (others occur inside names).
_SHORT = {"分值", "得分", "权重", "总分", "合计", "指标", "总计", "说明"}
_EXTRA = (
    "项目名称",
    "主管部门及代码",
    "主管部门",
    "实施单位",
    "项目负责人及电话",
    "项目负责人",
    "联系电话",
    "资金情况(万元)",
    "项目资金(万元)",
    "年度资金总额:",
    "年度资金总额",
    "其中:本年财政拨款",
    "其中:当年财政拨款",
    "其中:财政拨款",
    "本年财政拨款",
    "上年结转资金",
    "其他资金",
    "年度总体目标",
    "年初设定目标",
    "预期目标",
    "实际完成情况",
    "年度总体目标完成情况综述",
    "全年实际完成情况",
    "绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "自评得分",
    "自评总分",
    "项目总得分",
    "专项资金名称",
    "专项名称",
    "县级主管部门",
    "省级主管部门",
    "市县主管部门",
    "市县财政部门",
    "自治区主管部门",
    "单位名称",
    "填报日期",
    "评价结论",
    "存在问题",
    "改进措施",
    "绩效目标完成情况",
    "中央财政",
    "省级财政",
    "负责人及电话",
    "中央补助",
    "省级补助",
    "自治区补助",
    "市县资金",
    "财政拨款",
    "资金来源",
    "预算执行情况(万元)",
    "一般预算内拨款",
    "一般预算内",
    "达成预期指标",
    "定量指标",
    "定性指标",
    "达成预期目标",
    "达到预期指标",
    "达到预期目标",
)
_LEVEL1_SUFFIX = r"(?:[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）])?"
_NUMBER = r"\d[\d.]*\d|\d"  # digits with any dots: 194.9194.9100 holds three figures
_UNIT = rf"(?:万|亿)?(?:{_UNIT_WORDS})"
_FIGURE = re.compile(rf"[{_OPS}]?\s*(?:{_NUMBER})\s*(?:{_UNIT})?")
# Words that end many indicator names (严格执行率, 任务完成情况): they cut only right after another form word.
_WEAK = {
    "执行率",
    "预算执行率",
    "资金执行率",
    "完成情况",
    "实际完成",
    "说明",
    "备注",
    "记录",
    "评分",
    "实际完成情况",
}
_DIGITS_IN_NAME = re.compile(r"(?:指标|第|[A-Za-z])$")


_SPACED = re.compile(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")


def to_simplified(text: str) -> str:
    """Simplified and half-width, character for character where possible (positions map back to `text`)."""
    out = []
    for ch in _T2S.convert(text):
        half = unicodedata.normalize("NFKC", ch)
        out.append(half if len(half) == 1 else ch)
    return "".join(out)


def is_glued(line: str, glued_before: bool = False) -> bool:
    """A long line whose text runs on without whitespace between its cells (most of it in pieces of 40 characters
    or more), with a table header run together in it, or, after such a line (`glued_before`), several form
    words."""
    text = _SPACED.sub("", line.strip())
    if len(text) < 60:
        return False
    long_runs = sum(len(piece) for piece in text.split() if len(piece) >= 40)
    if long_runs < len(text) * 0.6 or text.startswith(("注", "说明", "备注")):
        return False
    simple = to_simplified(text)
    if glued_before:  # the table's body after a header that ran together: form words suffice
        return len(_vocabulary().findall(simple)) >= 3
    return _header_run(simple) >= 3


def _header_run(text: str) -> int:
    """The longest run of form words with nothing between them (全年预算数(A)全年执行数(B)分值执行率得分): a table
    header run together. A note that names columns in a sentence (一级指标分值统一设置为) has none that long."""
    best = run = 0
    last = -1
    for m in _vocabulary().finditer(text):
        run = run + 1 if m.start() == last else 1
        best = max(best, run)
        last = m.end()
    return best


@functools.cache
def _vocabulary() -> re.Pattern[str]:
    words: set[str] = set(_EXTRA) | set(TOTAL_LABELS) | set(LEVEL2_PARENT) | set(LEVEL1_ALIASES.values())
    for kind in LEVEL1.values():
        words |= set(kind)
    for table in ("indicator", "budget"):
        for role_words in _templates()[table].values():
            words |= {w.rstrip("*") for w in role_words}
    words |= {w for w in KNOWN_LABELS if not any(ch.isdigit() for ch in w)}
    words = {w for w in words if len(w) >= 3 or w in _SHORT}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # A header word may carry its marker: 全年预算数(A), 执行率(B/A), 分值(10分); a level-1 name its points.
    marker = r"(?:[(（](?:[A-Za-z]|[A-Za-z]/[A-Za-z]|%|万元|\d*分)[)）])?"
    return re.compile(rf"(?:{alternatives}){marker}{_LEVEL1_SUFFIX}")


_OCR_ZERO = re.compile(r"(?<=[)）])O(?=\d)")
_UNIT_NATURE = re.compile(rf"(?<=[{_CJK}])([%％])(?=定[量性]指标)")
_DOUBLED_GRADE = re.compile(rf"(?<=[{_CJK}]{{2}})([好高是否低优良])\1(?=\d)")
_UNIT_FIGURE = re.compile(rf"(?<=[{_CJK}])([%％])(?=[≥≤><=]|\d+(?:\.\d+)?[%％])")


def unglue(line: str) -> str:
    """The line with a space between every two cells it ran together (see the module doc)."""
    line = _SPACED.sub("", line.strip())  # 绩 效 指 标, 年度 总体 目标: letter-spacing of merged cells
    line = _OCR_ZERO.sub("O ", line)  # 执行率得分(分)O76%: an OCR'd cell (0 or a smudge) before the rate
    line = _UNIT_NATURE.sub(r" \1 ", line)  # 财政供养人员控制率%定量指标: name, 计量单位, 指标性质
    line = _DOUBLED_GRADE.sub(r" \1 \1 ", line)  # 资金使用合规性好好100%: name, target 好, actual 好
    if "计量单位" in line:  # under a 计量单位 column, 预算完成率%70%: name, unit, target
        line = _UNIT_FIGURE.sub(r" \1 ", line)
    simplified = to_simplified(line)
    if len(simplified) != len(line):  # cannot map positions back: cut on the Simplified text itself
        line = simplified
    cuts: list[tuple[int, int]] = []
    last = 0
    for m in _vocabulary().finditer(simplified):
        if m.group() in _WEAK and m.start() > last:
            continue  # 严格执行率: the end of a name
        opened = simplified[last : m.start()]
        if opened.count("(") > opened.count(")"):
            continue  # 结余率(计算方法为:结余数/预算数): inside a name's brackets
        if m.start() > last:
            cuts.append((last, m.start()))
        cuts.append((m.start(), m.end()))
        last = m.end()
    if last < len(line):
        cuts.append((last, len(line)))
    pieces: list[str] = []
    core = "是否核心指标" in simplified  # Chongqing: each row ends in 是/否, glued to the next row's name
    for start, end in cuts:
        segment = line[start:end].strip()
        if not segment:
            continue
        if _vocabulary().fullmatch(simplified[start:end].strip()):
            pieces.append(segment)
        else:
            after_total = bool(pieces) and (
                pieces[-1] in TOTAL_LABELS or pieces[-1] in ("自评得分", "项目总得分", "自评总分(分)")
            )
            pieces.extend(_split_segment(segment, after_total, core))
    return " ".join(p for p in _join_note_header(_split_rate_score(_ocr_dashes(pieces))) if p)


_FIGURE_PIECE = re.compile(r"^\d{1,3}(?:\.\d+)?%?$")
_DASH_GLUED = re.compile(r"^(\d{1,3}(?:\.\d+)?)一(\d.*)?$")
_WORDS_WITH_YI = "级般是次年个项类致些定体站网户卡对人码律揽线批"


def _ocr_dashes(pieces: list[str]) -> list[str]:
    """An OCR'd empty-cell dash (— read as 一) run into its neighbours: `4 一目标明确` is weight 4, target 一 and
    actual 目标明确; `10一100%` is 10, 一, 100%. Words that begin with 一 (一级指标, 一般, 一次性) stay whole."""
    out: list[str] = []
    for piece in pieces:
        m = _DASH_GLUED.match(piece)
        if m:
            out.extend(p for p in (m.group(1), "一", m.group(2)) if p)
            continue
        if (
            out
            and _FIGURE_PIECE.match(out[-1])
            and len(piece) > 1
            and piece[0] == "一"
            and piece[1] not in _WORDS_WITH_YI
            and re.match(rf"[{_CJK}]", piece[1])
        ):
            out.extend(("一", piece[1:]))
            continue
        out.append(piece)
    return out


def _split_rate_score(pieces: list[str]) -> list[str]:
    """`分值 执行率得分`: after a 分值 column, 执行率得分 is the 执行率 and 得分 columns, not one word."""
    out: list[str] = []
    for piece in pieces:
        if piece == "执行率得分" and out and out[-1] == "分值":
            out.extend(("执行率", "得分"))
        else:
            out.append(piece)
    return out


@functools.cache
def _note_prefixes() -> tuple[str, ...]:
    return tuple(w.rstrip("*") for w in _templates()["indicator"]["note"] if w.endswith("*"))


def _join_note_header(pieces: list[str]) -> list[str]:
    """`未完成原因 及拟采取的 改进措施` is one header cell: a note word that ends in `*` in templates.toml
    takes the short words after it."""
    out: list[str] = []
    joining = False
    for piece in pieces:
        simple = to_simplified(piece)
        if (
            joining
            and len(piece) <= 8
            and not _FIGURE.fullmatch(piece)
            and (not _vocabulary().fullmatch(simple) or simple in ("改进措施", "原因分析"))
        ):
            out[-1] += piece
            continue
        joining = simple.startswith(_note_prefixes())
        out.append(piece)
    return out


def _split_segment(text: str, after_total: bool = False, core: bool = False) -> list[str]:
    """Text and figures apart; glued figures apart by arithmetic; a doubled text in two."""
    out: list[str] = []
    pos = 0
    previous_figure = after_total
    last_figure = ""
    for m in _FIGURE.finditer(text):
        start, end = m.start(), m.end()
        figure = m.group()
        unit = re.search(rf"[{_CJK}]$", figure)
        after = text[end:]
        if (
            unit
            and len(_unit_of(figure)) == 1
            and after[:1]
            and re.match(rf"[{_CJK}]", after)
            and (
                figure.lstrip(_OPS)
                != last_figure.lstrip(_OPS)  # 0起0起: the actual repeats the target's unit
            )
        ):
            figure, end = figure[:-1], end - 1  # 10群众…: the 群 begins the next word
            after = text[end:]
        if start > 0 and start > pos and not _boundary_before(text[:start], figure):
            continue
        row_run = (
            start > pos and _ROW_RUN_BEFORE.search(text[pos:start]) is not None and _ROW_RUN.fullmatch(figure)
        )
        if (
            after
            and re.match(rf"[{_CJK}A-Za-z(（]", after)
            and not row_run
            and not _ends_figure(figure, after, previous_figure, start > pos)
        ):
            continue  # digits that begin a word: 12345热线, 3个乡镇
        if start > pos and row_run:
            unit_at = start - len(_ROW_RUN_BEFORE.search(text[pos:start]).group("unit"))
            out.extend([*_halves(text[pos:unit_at]), text[unit_at:start]])  # the name, then its 计量单位
        elif start > pos:
            out.extend(_halves(text[pos:start], core and previous_figure))
        nxt = _FIGURE.search(text, end)
        context = "total" if (after_total and not out) else ("figure" if previous_figure else "")
        if core and previous_figure and last_figure.endswith("%"):
            context = "pct"
        if row_run:
            context = "row"
        out.extend(split_figures(figure, nxt.group() if nxt else None, context))
        pos = end
        previous_figure = True
        last_figure = figure
    if pos < len(text):
        out.extend(_halves(text[pos:], core and previous_figure))
    return out


def _unit_of(figure: str) -> str:
    m = re.search(rf"(?:{_UNIT})$", figure)
    return m.group() if m else ""


def _boundary_before(before: str, figure: str) -> bool:
    if _DIGITS_IN_NAME.search(before) and not figure[:1].isspace():
        return False
    return not (before[-1] in "(（" and figure[-1] != "%")  # (2020) is text


def _ends_figure(figure: str, after: str, previous_figure: bool, after_text: bool) -> bool:
    """A figure followed by a word ends a cell when it carries a unit or a comparator, when it follows another
    figure (a score before the next row's name), when it is a small weight between a name and a qualitative
    target (…改善状况10显著提升…), or when the word is a form word."""
    if re.search(rf"(?:{_UNIT})$", figure) or figure[0] in _OPS:
        return True
    if previous_figure:
        return True
    if after_text and re.fullmatch(r"\d{1,2}(?:\.5)?", figure):
        return True
    return bool(_vocabulary().match(to_simplified(after)))


_SCORED_HEAD = re.compile(rf"^([{_CJK}]{{2,10}}[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）])(?=[{_CJK}])")


def _halves(text: str, core_first: bool = False) -> list[str]:
    text = text.strip(" :：")
    if not text:
        return []
    if core_first and text[0] in "是否" and not text.startswith("是否") and len(text) > 2:
        return [text[0], *_halves(text[1:])]  # 否“三公经费”变动率: the row's 是否核心指标, then the next name
    head = _SCORED_HEAD.match(text)
    if head:  # 项目决策(10分)项目目标完整性: a level label with its points, then the indicator's name
        return [head.group(1), *_halves(text[head.end() :])]
    n = len(text)
    if n >= 4 and n % 2 == 0 and text[: n // 2] == text[n // 2 :]:
        return [text[: n // 2], text[n // 2 :]]
    return [text]


_RUN = re.compile(rf"^(?P<op>[{_OPS}]?)(?P<digits>[\d.]+)(?P<pct>%?)(?P<unit>.*)$")
_YEAR = re.compile(r"^20[0-3]\d$")


def split_figures(figure: str, following: str | None = None, after: str = "") -> list[str]:
    """One matched figure, cut in several when its digits hold more than one number; `following` is the next
    figure of the same text (an actual that repeats the target shows where the target begins); `after` says what
    came before: "total" (总分 10098: 100 and 98) or "figure" (… 2万元 2018: weight 20 and score 18, not a year)."""
    m = _RUN.match(figure.replace(" ", ""))
    if not m or m.group("op"):
        return [figure]
    digits, suffix = m.group("digits"), m.group("pct") + m.group("unit")
    if after == "pct" and len(digits) == 2 and digits[0] == digits[1] and digits[0] != "0":
        return [digits[0], digits[1]]  # 100% 22: weight 2 and score 2 after the 得分系数
    if digits in ("00", "000"):
        return ["0"] * len(digits)  # 00: target 0 and actual 0, weight 0 and score 0
    if after == "row":
        reading = _row_run(digits)
        if reading:
            return reading
    whole = _number(digits)
    year = _YEAR.match(digits) and (after != "figure" or suffix)
    if len(digits) < 4 and digits.count(".") <= 1 or len(digits) > 16 or year:
        return [figure]
    if after == "total" and not suffix and not (whole is not None and whole <= 100 and "." in digits):
        for first, second in _partitions(digits, 2):
            if float(first) <= 100 and float(second) <= float(first):
                return [first, second]  # 总分 10098: the weights' 100, then the score
    pct = bool(m.group("pct"))
    if pct:
        reading = _budget_run(digits)
        if reading:
            return [*reading[:-1], reading[-1] + suffix]
    if whole is not None and (pct and whole <= 150 or not suffix and whole <= 100):
        return [figure]
    if not suffix and "." in digits:
        for k in (2, 3, 4):  # 12.512.512.5: weight, target and actual all 12.5
            part = digits[: len(digits) // k]
            if len(digits) % k == 0 and part * k == digits and _valid(part) and "." in part:
                return [part] * k
    for weight, rest in _partitions(digits, 2):
        w = float(weight)
        if w > 40:
            continue
        if following is not None and _same(rest + suffix, following):
            return [weight, rest + suffix]  # weight, then a target its actual repeats
    for weight, rest in _partitions(digits, 2):
        w, r = float(weight), float(rest)
        if w > 40 or r == 0:
            continue
        if pct and r <= 150:
            return [weight, rest + suffix]  # 20100%: weight 20, target 100%
        if not suffix and (r == w or r < w):
            return [weight, rest]  # 1010, 100100, 2018: weight and score
    if not suffix and len(digits) % 2 == 0 and digits[: len(digits) // 2] == digits[len(digits) // 2 :]:
        half = digits[: len(digits) // 2]
        if _valid(half):
            return [half, half]
    return [figure]


def _same(a: str, b: str) -> bool:
    return a.replace(" ", "").lstrip(_OPS) == b.replace(" ", "").lstrip(_OPS)


def _number(digits: str) -> float | None:
    return float(digits) if _valid(digits) else None


def _valid(number: str) -> bool:
    if not number or number.startswith(".") or number.endswith(".") or number.count(".") > 1:
        return False
    whole = number.split(".")[0]
    if len(whole) > 1 and whole.startswith("0"):
        return False
    return len(number.split(".")[1]) <= 3 if "." in number else True


def _partitions(digits: str, parts: int) -> list[list[str]]:
    out = []
    for cuts in itertools.combinations(range(1, len(digits)), parts - 1):
        bounds = (0, *cuts, len(digits))
        numbers = [digits[a:b] for a, b in itertools.pairwise(bounds)]
        if all(_valid(n) for n in numbers):
            out.append(numbers)
    return out


# 天然林…完成率%901010010: after a name and its 计量单位 cell, an indicator row's figures (target, weight,
# actual, score) with nothing between them.
_ROW_RUN_BEFORE = re.compile(rf"[{_CJK})）]{{2,}}?(?P<unit>%|{_UNIT})$")
_ROW_RUN = re.compile(r"\d[\d.]{4,}\d")


def _row_run(digits: str) -> list[str] | None:
    """`901010010` as target 90, weight 10, actual 100, score 10: four numbers where the weight is a plausible
    weight (≤ 40) and the score does not exceed it; a full score (score = weight) reads best, then fewer
    decimals."""
    best: tuple[float, list[str]] | None = None
    for numbers in _partitions(digits, 4):
        target, weight, actual, score = (float(n) for n in numbers)
        if not 0 < weight <= 40 or score > weight:
            continue
        rank = (2.0 if score == weight else 0.0) + (0.5 if weight in (5, 10, 15, 20, 25, 30) else 0.0)
        rank -= 0.1 * sum(len(n.split(".")[1]) for n in numbers if "." in n)
        if best is None or rank > best[0]:
            best = (rank, numbers)
    return best[1] if best else None


def _budget_run(digits: str) -> list[str] | None:
    """`202010100.00` before a %: amounts, a weight and the rate, where two amounts' ratio is the rate."""
    best: tuple[float, list[str]] | None = None
    for parts in (3, 4, 5):
        for numbers in _partitions(digits, parts):
            values = [float(n) for n in numbers]
            rate, before = values[-1], values[:-1]
            if not 0 < rate <= 150:
                continue
            ratios = [
                i
                for i in range(1, len(before))
                if before[i - 1] > 0 and abs(before[i] / before[i - 1] * 100 - rate) < 0.6
            ]
            if not ratios:
                continue
            score = 3.0 - 0.4 * (parts - 3) - 0.1 * sum(len(x.split(".")[1]) for x in numbers if "." in x)
            score += 0.6 * (len(ratios) - 1)  # 64.8 / 64.8 / 64.8: every amount agrees with the rate
            if len(before) > max(ratios) + 1 and before[-1] <= 30:
                score += 0.5  # a weight after the amounts
            if best is None or score > best[0]:
                best = (score, numbers)
    return best[1] if best else None


@functools.cache
def _level_start() -> re.Pattern[str]:
    words = set(LEVEL2_PARENT) | set(LEVEL1_ALIASES.values())
    for kind in LEVEL1.values():
        words |= set(kind)
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"^(?:{alternatives}){_LEVEL1_SUFFIX}(?=.)")


def _level_glued(piece: str) -> bool:
    """产出指标数量指标足额保障率=100%: a level name, then another form word or a figure in the same piece
    (重点工作管理制度健全性 is a name that starts with a level word, and stays whole)."""
    simple = to_simplified(piece)
    m = _level_start().match(simple)
    if not m:
        return False
    rest = simple[m.end() :]
    if re.fullmatch(r"[(（]\s*\d+(?:\.\d+)?\s*(?:分\s*[)）]?)?", rest):
        return False  # 目标任务(15分), or `目标任务(15 分)` broken at its space: a level name and its points
    return bool(re.search(r"\d", rest)) or bool(_vocabulary().search(rest))


def unglue_pieces(line: str) -> str:
    """A space-separated line whose pieces begin with a level name glued to what follows
    (`产出指标数量指标足额保障率=100% 22.5`): those pieces cut apart, the rest left as it is."""
    pieces = [line] if " " not in line.strip() and len(line) < 60 else line.split(" ")
    glued = [_level_glued(p) for p in pieces]
    if not any(glued):
        return line
    return " ".join(unglue(p) if g else p for p, g in zip(pieces, glued))
