"""Cell text -> typed values: comparator, number with Chinese magnitudes applied, unit.

`69.76万件` -> (None, 697600, '件'); `≥10亿` -> ('>=', 1e9, None); `群众满意度≥95%` -> ('>=', 95, '%') with the
leading label kept as `label`; `≤平均成本` -> ('<=', None, None) and qualitative.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass

from dashboard.ingest.vocab import QUALITATIVE_PATTERN, QUALITATIVE_VALUES, normalize_key

EMPTY_MARKERS = {"", "—", "——", "-", "--", "/", "－", "／", "无数据", "\\"}

_OPS = [
    (("≥", "≧", ">=", "＞=", "不低于", "不少于", "大于等于", "不小于"), ">="),
    (("≤", "≦", "<=", "＜=", "不高于", "不超过", "不多于", "小于等于", "不大于"), "<="),
    (("＞", ">", "大于", "高于", "超过"), ">"),
    (("＜", "<", "小于", "低于"), "<"),
    (("=", "＝", "﹦", "═", "等于"), "="),  # ═: a box-drawing double line typed for =
]
_OP_WORDS = sorted(((w, op) for words, op in _OPS for w in words), key=lambda p: -len(p[0]))
OP_PATTERN = "|".join(re.escape(w) for w, _ in _OP_WORDS)
_OP_OF = dict(_OP_WORDS)

_MAGNITUDES = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "千万": 1e7, "万亿": 1e12}
# Money is kept in 万元 as written: 万元 is a unit here, not a magnitude.
_UNIT_WORDS = (
    "万元|亿元|元|%|‰|人次|人|户|家|个月|个|件|次|项|天|日|工作日|小时|分钟|年|月|台|套|条|份|座|辆|所|册|场|期|篇|"
    "km²|km|公里|米|m²|m³|m|平方米|立方米|亩|公顷|吨|kg|千克|张|本|部|只|头|床|间|名|批|处|单|笔|门|类|张次|课时|学时|"
    "GB|TB|MB|M|G|T|Mbps|岗|组|群|期次|起|例|宗|册次|平方公里|公顷|栋|个百分点|百分点|分|厘米|毫米|万粒|粒|株|万株|万人|万人次|万亩|倍"
)
_UNIT_WORDS = rf"(?:{_UNIT_WORDS})(?:/(?:{_UNIT_WORDS}|[\u4e00-\u9fff]))?"
_VALUE = re.compile(
    rf"^(?P<label>.*?)\s*(?P<op>{OP_PATTERN})?\s*(?P<num>[-+]?(?<!\d)\d[\d,]*(?:\.\d+)?)\s*"
    rf"(?P<mag>万亿|千万|百万|万(?!元)|亿(?!元)|千(?![克米瓦]))?\s*(?P<unit>(?:{_UNIT_WORDS}))?\s*(?:以上|以内|以下|左右)?$"
)
_LEADING_OP = re.compile(rf"^\s*(?P<op>{OP_PATTERN})\s*(?P<rest>.*)$")
_BARE_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")  # 330,000.00 too
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEQ_LABEL = re.compile(r"^指标\s*\d+\s*[:：.、]\s*")


@dataclass(frozen=True)
class Value:
    text: str | None
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    label: str | None = None  # text glued before the value, e.g. another indicator's name

    @property
    def is_numeric(self) -> bool:
        return self.value is not None


_PLAIN = re.compile(r"^[^<&\u00a0\u3000\ufeff\s](?:[^<&\u00a0\u3000\ufeff\s]| (?! ))*(?<! )$")


def clean_cell(raw: str | None) -> str:
    """Text of a cell as a reader sees it: HTML removed, entities decoded, whitespace collapsed."""
    if raw is None:
        return ""
    text = str(raw)
    if not text or _PLAIN.match(text):
        return text
    if "<" in text:
        text = re.sub(r"<sup>\s*2\s*</sup>", "²", text, flags=re.I)
        text = re.sub(r"<sup>\s*3\s*</sup>", "³", text, flags=re.I)
        text = re.sub(r"</p>\s*<p[^>]*>", "\n", text, flags=re.I)
        text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
        text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\ufeff", "")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    # A unit written as `m ²` after HTML removal.
    return re.sub(r"(?<=[A-Za-z])\s+(?=[²³])", "", text)


def nfkc(text: str) -> str:
    """NFKC (full-width -> half-width) that keeps ² and ³, which units such as m² need."""
    return (
        unicodedata.normalize("NFKC", text.replace("²", "\x01").replace("³", "\x02"))
        .replace("\x01", "²")
        .replace("\x02", "³")
    )


def is_empty(text: str | None) -> bool:
    return text is None or text.strip() in EMPTY_MARKERS


def is_bare_number(text: str) -> bool:
    return bool(_BARE_NUMBER.match(text.strip()))


def to_number(text: str | None) -> float | None:
    """A plain number or percentage cell as a float (`100%` -> 100.0, `1,234.5` -> 1234.5), else None."""
    if text is None:
        return None
    t = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").rstrip("%")
    if _BARE_NUMBER.match(t):
        return float(t)
    return None


def strip_seq_label(name: str) -> str:
    """`指标7: 群众来电咨询接听率` -> `群众来电咨询接听率`."""
    return _SEQ_LABEL.sub("", name).strip()


def has_seq_label(name: str) -> bool:
    return bool(_SEQ_LABEL.match(name))


@functools.lru_cache(maxsize=1 << 16)
def parse_value(text: str | None) -> Value:
    """Parse a target or actual cell. Never raises; text that is no number keeps value None."""
    if is_empty(text):
        return Value(None)
    assert text is not None
    raw = text.strip()
    t = nfkc(raw).replace("，", ",")
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    m = _VALUE.match(t)
    if m and not _looks_like_name_with_digit(m):
        mag = _MAGNITUDES.get(m.group("mag") or "", 1.0)
        number = float(m.group("num").replace(",", "")) * mag
        label = m.group("label").strip() or None
        if label is not None:
            label = label.rstrip(":：") or None
            if label is not None and not _CJK.search(label):
                return Value(raw)  # `7×24小时` is a phrase, not a labelled number
        unit = m.group("unit") or None
        return Value(raw, _OP_OF.get(m.group("op") or ""), _round(number), unit, label)
    lead = _LEADING_OP.match(t)
    if lead:
        return Value(raw, _OP_OF[lead.group("op")])
    return Value(raw)


def _looks_like_name_with_digit(m: re.Match[str]) -> bool:
    # `服务对象1的满意度` must not become 1 with a label: a label needs an operator or a unit/% to follow it,
    # or must itself end in a name-ish way (`接听率100%`).
    label = m.group("label").strip()
    if not label:
        return False
    if m.group("op"):
        return False
    return not (m.group("unit") or m.group("mag"))


def _round(x: float) -> float:
    return float(round(x, 6))


_UNIT_ONLY = re.compile(
    rf"^(?:万|亿|千|百万|千万)?(?:{_UNIT_WORDS})(?:\([\u4e00-\u9fff]{{1,6}}\))?$"
)  # %(百分比)
_OP_ONLY = re.compile(rf"^\s*(?:\d{{3}}\s*)?(?:{OP_PATTERN})\s*$")  # Yunnan prints a code first: `004 >=`
_OP_CODE = re.compile(r"^\s*\d{3}\s*")


@functools.lru_cache(maxsize=1 << 14)
def is_unit_only(text: str) -> bool:
    """A 度量单位 cell: `人次`, `%`, `万元`."""
    return bool(_UNIT_ONLY.match(nfkc(text).strip()))


@functools.lru_cache(maxsize=1 << 14)
def op_sign(text: str) -> str:
    """The comparator of a 指标性质 cell without the code some provinces print before it (`004 >=` -> `>=`)."""
    return _OP_CODE.sub("", text).strip()


def is_op_only(text: str) -> bool:
    """A 指标性质 cell holding only a comparator: `≥`, `﹦`."""
    return bool(_OP_ONLY.match(nfkc(text)))


@functools.lru_cache(maxsize=1 << 16)
def is_value_like(text: str) -> bool:
    """True for a cell that is a target/actual value rather than a name: numbers, comparators, 优/及时/健全 …"""
    t = text.strip()
    if is_empty(t):
        return False
    if has_seq_label(t):
        return False
    v = parse_value(t)
    if v.is_numeric or v.op:
        return True
    key = normalize_key(t)
    if key in QUALITATIVE_VALUES:
        return True
    return len(key) <= 8 and bool(QUALITATIVE_PATTERN.search(key)) and not key.endswith("指标")
