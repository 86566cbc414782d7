"""Text files as they arrive: cut inside their last character, UTF-16 with a BOM (Excel's "Unicode 文本"), GBK.

Each variant of a real form must give the same forms and field values as the intact UTF-8 file; a cut inside a
character is said out loud (a `truncated` finding naming the file), and the encoding is recorded.
"""

from __future__ import annotations

import codecs
import dataclasses
from pathlib import Path

import duckdb
import pytest

from dashboard.ingest.errors import IngestError
from dashboard.ingest.parse import parse_bytes
from dashboard.ingest.readers.text import decode_text
from dashboard.load import ingest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw" / "000_0ed4b7e3fbc5b049.txt"
SICHUAN = ROOT / "tests" / "fixtures" / "sichuan_2023.txt"
CUT_RULE = "truncated"


def fields(doc) -> list[dict]:
    """Every stored field of every form, except the findings (compared on their own) and the report notes' text,
    whose last character a cut may take (compared by label)."""
    out = []
    for r in doc.reports:
        d = dataclasses.asdict(r)
        d.pop("findings")
        d["notes"] = [(n["label"], n["source_line"]) for n in d["notes"]]
        out.append(d)
    return out


def rules(doc) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for r in doc.reports for f in r.findings if f.rule != CUT_RULE)


def cut_findings(doc) -> list[str]:
    return [f.message for r in doc.reports for f in r.findings if f.rule == CUT_RULE and "字节" in f.message]


def utf16(text: str, order: str) -> bytes:
    bom = codecs.BOM_UTF16_LE if order == "le" else codecs.BOM_UTF16_BE
    return bom + text.replace("\n", "\r\n").encode(f"utf-16-{order}")


@pytest.fixture(scope="module", params=[SAMPLE, SICHUAN], ids=["sample", "sichuan"])
def intact(request):
    data = request.param.read_bytes()
    doc = parse_bytes(request.param.name, data)
    assert doc.error is None and doc.reports and doc.encoding == "utf-8"
    assert not cut_findings(doc)
    return request.param, data, doc


def assert_same_forms(doc, intact_doc) -> None:
    assert doc.error is None, doc.error
    assert len(doc.reports) == len(intact_doc.reports)
    assert fields(doc) == fields(intact_doc)
    assert rules(doc) == rules(intact_doc)


@pytest.mark.parametrize("cut", [1, 2])
def test_utf8_cut_inside_last_character_keeps_every_form(intact, cut):
    path, data, whole = intact
    data = data.rstrip()  # trailing empty cells; then both files end in a 3-byte character (。 and 芳)
    assert len(data[-3:].decode("utf-8")) == 1  # so a cut of 1 or 2 bytes lands inside it
    doc = parse_bytes("cut.txt", data[:-cut])
    assert_same_forms(doc, whole)
    assert doc.encoding == "utf-8"
    assert cut_findings(doc) == [
        f"文件“cut.txt”在最后一个字符中途结束（UTF-8，舍弃了不完整的 {3 - cut} 个字节），文件可能不完整；已读取其余内容"
    ]


def test_utf8_cut_at_a_character_boundary_is_plain_text(intact):
    """Three bytes off a file ending in a 3-byte character leave whole characters: nothing to detect."""
    _, data, whole = intact
    doc = parse_bytes("cut3.txt", data.rstrip()[:-3])
    assert_same_forms(doc, whole)
    assert not cut_findings(doc) and doc.encoding == "utf-8"


@pytest.mark.parametrize("cut", [1])
def test_gbk_cut_inside_last_character(intact, cut):
    _, data, whole = intact
    gbk = data.rstrip().decode("utf-8").encode("gb18030")
    doc = parse_bytes("gbk.txt", gbk[:-cut])
    assert_same_forms(doc, whole)
    assert doc.encoding == "gb18030" and len(cut_findings(doc)) == 1 and "GB18030" in cut_findings(doc)[0]


@pytest.mark.parametrize("order", ["le", "be"])
def test_utf16_with_bom_is_read_like_utf8(intact, order):
    """Excel's 另存为 "Unicode 文本": UTF-16 LE with a BOM, tab-separated, CRLF."""
    _, data, whole = intact
    doc = parse_bytes("unicode.txt", utf16(data.decode("utf-8"), order))
    assert_same_forms(doc, whole)
    assert doc.encoding == f"utf-16-{order}" and not cut_findings(doc)


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_utf16_cut(intact, cut):
    """An odd length (half a code unit) or a code unit less: the forms are still read."""
    _, data, whole = intact
    body = utf16(data.decode("utf-8"), "le")
    doc = parse_bytes("unicode.txt", body[:-cut])
    assert_same_forms(doc, whole)
    assert doc.encoding == "utf-16-le"
    assert len(cut_findings(doc)) == (cut % 2)  # an even cut drops whole code units: no broken character


def test_utf8_bom_and_encoding_recorded():
    data = codecs.BOM_UTF8 + SAMPLE.read_bytes()
    doc = parse_bytes("bom.txt", data)
    assert doc.error is None and len(doc.reports) == 4 and doc.encoding == "utf-8-sig"


def test_decode_text_refuses_what_is_not_text():
    with pytest.raises(IngestError, match="二进制"):
        decode_text(b"PK\x03\x04\x00\x00junk" * 10, "x.txt")
    with pytest.raises(IngestError, match="无法识别文件编码"):
        decode_text("绩效".encode() + b"\xff\xfe\xfd\xfc" + "自评表".encode() * 3, "y.txt")
    with pytest.raises(IngestError, match="文件为空"):
        decode_text(codecs.BOM_UTF16_LE + "  \r\n".encode("utf-16-le"), "z.txt")
    # a UTF-16 BOM followed by bytes that are no UTF-16 (a lone low surrogate in the middle)
    with pytest.raises(IngestError, match="UTF-16-LE"):
        decode_text(
            codecs.BOM_UTF16_LE + "表".encode("utf-16-le") + b"\x00\xdc" + "表格".encode("utf-16-le"), "w.txt"
        )


def test_broken_in_the_middle_is_not_taken_for_a_cut():
    """Only the last character may be incomplete: a bad byte in the middle is still refused, not guessed."""
    text = "绩效自评表\n" * 5
    with pytest.raises(IngestError, match="无法识别文件编码"):
        decode_text(text.encode() + b"\x80\x80\xff" + text.encode(), "m.txt")


def test_the_store_writes_the_encoding_of_each_source(tmp_path):
    """sources.encoding: the writer fills every column from the Document's field of that name (failed files keep
    NULL)."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    (folder / "a_utf8.txt").write_bytes(SAMPLE.read_bytes())
    (folder / "b_unicode.txt").write_bytes(
        utf16(text.replace("武威市政府政务服务中心", "武威市教育局"), "le")
    )
    (folder / "c_gbk.txt").write_bytes(
        text.replace("武威市政府政务服务中心", "武威市财政局").encode("gb18030")
    )
    (folder / "d_binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    db = tmp_path / "enc.duckdb"
    ingest([folder], db, workers=1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select path, status, encoding from sources order by path").fetchall()
    finally:
        con.close()
    assert [(Path(p).name, s, e) for p, s, e in rows] == [
        ("a_utf8.txt", "ok", "utf-8"),
        ("b_unicode.txt", "ok", "utf-16-le"),
        ("c_gbk.txt", "ok", "gb18030"),
        ("d_binary.txt", "failed", None),
    ]


def test_a_whole_gbk_file_ending_in_its_only_character_is_not_taken_for_cut_utf8():
    data = b"Total: 100\n" * 5 + "分".encode("gb18030")
    decoded = decode_text(data, "t.txt")
    assert (decoded.encoding, decoded.cut_bytes, decoded.text[-1]) == ("gb18030", 0, "分")
    cut_utf8 = ("合计 100\n" * 5).encode() + "分".encode()[:-1]  # CJK before the cut: UTF-8, cut
    decoded = decode_text(cut_utf8, "u.txt")
    assert (decoded.encoding, decoded.cut_bytes) == ("utf-8", 2) and decoded.text.endswith("100\n")
