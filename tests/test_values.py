from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.ingest.values import clean_cell, is_value_like, parse_value


@pytest.mark.parametrize(
    ("text", "op", "value", "unit", "label"),
    [
        ("69.76万件", None, 697600.0, "件", None),
        ("≥10亿", ">=", 1e9, None, None),
        ("10.44亿", None, 1044000000.0, None, None),
        ("95%", None, 95.0, "%", None),
        ("100.00%", None, 100.0, "%", None),
        ("≧95%", ">=", 95.0, "%", None),
        ("≦2%", "<=", 2.0, "%", None),
        ("﹦100%", "=", 100.0, "%", None),
        ("≥50个", ">=", 50.0, "个", None),
        ("≤90万元", "<=", 90.0, "万元", None),  # money stays in 万元
        ("5544.13m²", None, 5544.13, "m²", None),
        ("12个月", None, 12.0, "个月", None),
        ("2.97万", None, 29700.0, None, None),
        ("１２３４５件", None, 12345.0, "件", None),  # full-width digits
        ("1,234.5人次", None, 1234.5, "人次", None),
        ("群众来电咨询接听率100%", None, 100.0, "%", "群众来电咨询接听率"),
        ("群众满意度≥95%", ">=", 95.0, "%", "群众满意度"),
        ("≤平均成本", "<=", None, None, None),
        ("优", None, None, None, None),
        ("服务对象1的满意度", None, None, None, None),
        ("7×24小时", None, None, None, None),
    ],
)
def test_parse_value(text, op, value, unit, label):
    v = parse_value(text)
    assert (v.op, v.value, v.unit, v.label) == (op, value, unit, label)
    assert v.text == text


@pytest.mark.parametrize("text", ["", "—", "/", "-", "  "])
def test_empty_markers(text):
    assert parse_value(text).text is None


@pytest.mark.parametrize("text", ["优", "及时", "健全", "提升", "市级以上", "≤平均成本", "87%", "3"])
def test_value_like(text):
    assert is_value_like(text)


@pytest.mark.parametrize(
    "text", ["指标1: 保安保洁人员", "服务便利化水平", "节约成本", "产出指标", "服务对象1的满意度"]
)
def test_not_value_like(text):
    assert not is_value_like(text)


def test_clean_cell_html_and_spaces():
    assert clean_cell("5544.13m <sup>2</sup>") == "5544.13m²"
    assert clean_cell("<p>目标1</p> <p>目标2&amp;3</p>") == "目标1\n目标2&3"
    assert clean_cell("\u00a0 a\u3000 b ") == "a b"


@given(
    st.integers(min_value=0, max_value=10**7),
    st.sampled_from(["", "万", "亿"]),
    st.sampled_from(["件", "人", "%", ""]),
)
def test_magnitudes_roundtrip(n, mag, unit):
    if mag and unit == "%":
        return
    v = parse_value(f"{n}{mag}{unit}")
    factor = {"": 1, "万": 1e4, "亿": 1e8}[mag]
    assert v.value == pytest.approx(n * factor)
    assert v.unit == (unit or None)
