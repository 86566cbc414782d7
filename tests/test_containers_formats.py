"""Saved web pages, legacy .doc/.wps/.et, zip batches and text PDFs through PDFium give the same records as the
text the form came from."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from dashboard.ingest.parse import parse_bytes, parse_file
from dashboard.ingest.readers.archive import member_name
from dashboard.ingest.readers.html import read_html
from dashboard.ingest.sources import parse_source, parse_source_bytes
from dashboard.load import expand_paths, ingest
from tests.conftest import FIXTURES, SAMPLE
from tests.containers import convert, write_gbk_zip, write_html
from tests.formats import grid_from_text, write_pdf, write_xlsx
from tests.formtext import project_form
from tests.test_formats import records

SICHUAN = FIXTURES / "sichuan_2023.txt"
SOURCES = {
    "sample": SAMPLE.read_text(encoding="utf-8"),
    "sichuan": SICHUAN.read_text(encoding="utf-8"),
    "project": project_form(),
}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def source(request, tmp_path_factory):
    name = request.param
    text = SOURCES[name]
    return (
        name,
        grid_from_text(text),
        records(parse_bytes(f"{name}.txt", text.encode())),
        tmp_path_factory.mktemp(name),
    )


# -- saved web pages ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("chrome", [False, True], ids=["bare", "site-chrome"])
def test_html_page_with_spans(source, chrome, encoding):
    name, grid, expected, _ = source
    # The sample's export lost its merges (see test_formats): rowspans only for the clean forms.
    page = write_html(grid, chrome=chrome, encoding=encoding, merges=name != "sample")
    assert b"colspan" in page and (name == "sample" or b"rowspan" in page)
    assert records(parse_bytes(f"{name}.html", page)) == expected


def test_html_spans_expand_like_merged_cells():
    page = """<html><body><table>
      <tr><td rowspan="2">产出指标</td><td colspan="2">数量指标</td><td>8</td></tr>
      <tr><td>甲</td><td>乙</td><td>9</td></tr>
      <tr><td>丙</td><td rowspan="2">10</td><td>丁</td><td>戊</td></tr>
      <tr><td>己</td><td>庚</td><td>辛</td></tr></table></body></html>""".encode()
    rows = read_html("t.html", page)
    assert [r.cells for r in rows] == [
        ["产出指标", "数量指标", "", "8"],
        ["产出指标", "甲", "乙", "9"],
        ["丙", "10", "丁", "戊"],
        ["己", "", "庚", "辛"],  # a number is never copied down: a merged weight must not count twice
    ]
    assert [r.ref for r in rows] == ["表1第1行", "表1第2行", "表1第3行", "表1第4行"]


def test_html_chrome_is_dropped_and_gbk_meta_decoded():
    page = (
        '<html><head><meta charset="gb2312"><script>var a="发布时间";</script></head><body>'
        "<div>发布时间：2024-04-12　来源：本站</div><div>字体：[大] [中] [小]</div>"
        "<h3>2023年度部门整体支出绩效自评表</h3><div>【打印本页】【关闭窗口】</div></body></html>"
    ).encode("gbk")
    assert [r.cells for r in read_html("t.htm", page)] == [["2023年度部门整体支出绩效自评表"]]


def test_mhtml_single_file_page(source):
    name, grid, expected, _ = source
    import quopri

    html = write_html(grid, merges=name != "sample")
    body = quopri.encodestring(html).decode("ascii")
    mhtml = (
        "From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
        "------B\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: http://www.example.gov.cn/a.html\r\n\r\n{body}\r\n------B--\r\n"
    ).encode("ascii")
    assert records(parse_bytes(f"{name}.mhtml", mhtml)) == expected


def test_html_without_a_form_fails_with_a_chinese_error():
    doc = parse_bytes("空页.html", "<html><body><p>本站维护中</p></body></html>".encode())
    assert doc.error is not None and doc.error.startswith("空页.html: 未识别到绩效自评表")


# -- legacy office files ---------------------------------------------------------------------------------------
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


@needs_soffice
@pytest.mark.parametrize("name", ["sample", "sichuan"])  # one real and one clean form: conversions are slow
def test_doc_and_wps_through_libreoffice(name, tmp_path):
    grid, tmp = grid_from_text(SOURCES[name]), tmp_path
    expected = records(parse_bytes(f"{name}.txt", SOURCES[name].encode()))
    # Written as the web page (rowspan/colspan) and saved as Word 97 by LibreOffice: its .doc export of
    # python-docx tables with vertical merges drops the table, which a page converted through Writer keeps.
    page = tmp / f"{name}-doc.html"
    page.write_bytes(write_html(grid, merges=name != "sample"))
    doc = convert(page, "doc:MS Word 97", tmp, infilter="HTML (StarWriter)")
    assert doc.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real OLE Word 97 file
    assert records(parse_file(doc)) == expected
    wps = tmp / f"{name}.wps"  # WPS Writer's own name for a Word 97 document
    wps.write_bytes(doc.read_bytes())
    assert records(parse_file(wps)) == expected


@needs_soffice
def test_et_spreadsheet_through_libreoffice(tmp_path):
    text = SOURCES["sichuan"]
    xlsx = write_xlsx(grid_from_text(text), tmp_path / "form.xlsx")
    xls = convert(xlsx, "xls", tmp_path)
    et = tmp_path / "四川表.et"
    et.write_bytes(xls.read_bytes())
    doc = parse_file(et)
    assert records(doc) == records(parse_bytes("form.txt", text.encode()))
    assert doc.path.endswith("四川表.et") and doc.format == "et"


@needs_soffice
def test_a_broken_doc_fails_naming_the_original_file():
    doc = parse_bytes("旧表.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert doc.error is not None and doc.error.startswith("旧表.doc: ")


# -- zip batches -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def batch_zip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zip")
    sichuan = SOURCES["sichuan"]
    inner = write_gbk_zip({"内层/四川项目表.txt": sichuan.encode()}, tmp / "inner.zip").read_bytes()
    members = {
        "2022年/武威市政务服务中心.txt": SAMPLE.read_bytes(),
        "2023年/四川网页.html": write_html(grid_from_text(sichuan), encoding="gb18030"),
        "2023年/四川表格.xlsx": write_xlsx(grid_from_text(sichuan), tmp / "s.xlsx").read_bytes(),
        "说明.bak": b"not a form",
        "嵌套.zip": inner,
        "损坏的.docx": b"not a docx",
    }
    return write_gbk_zip(members, tmp / "2023年自评表.zip")


def test_gbk_member_names_are_decoded(batch_zip):
    with zipfile.ZipFile(batch_zip) as z:
        raw = [i.filename for i in z.infolist()]
        names = [member_name(i) for i in z.infolist()]
    assert "2022年/武威市政务服务中心.txt" not in raw  # Python alone shows mojibake
    assert names[0] == "2022年/武威市政务服务中心.txt" and names[4] == "嵌套.zip"


def test_zip_expands_to_members_named_inside_the_archive(batch_zip):
    paths = [str(p) for p in expand_paths([batch_zip.parent])]
    z = str(batch_zip)
    assert [p for p in paths if p.startswith(z)] == [
        f"{z}!/2022年/武威市政务服务中心.txt",
        f"{z}!/2023年/四川网页.html",
        f"{z}!/2023年/四川表格.xlsx",
        f"{z}!/嵌套.zip!/内层/四川项目表.txt",
        f"{z}!/损坏的.docx",
    ]
    sample = parse_source(f"{z}!/2022年/武威市政务服务中心.txt")
    assert records(sample) == records(parse_bytes("s.txt", SAMPLE.read_bytes()))
    assert sample.path == f"{z}!/2022年/武威市政务服务中心.txt"
    want = records(parse_bytes("s.txt", SOURCES["sichuan"].encode()))
    for member in ("2023年/四川网页.html", "2023年/四川表格.xlsx", "嵌套.zip!/内层/四川项目表.txt"):
        assert records(parse_source(f"{z}!/{member}")) == want
    assert (
        parse_source(f"{z}!/损坏的.docx").error
        == "损坏的.docx: 文件已损坏或不是 Word 文档（无法按 .docx 打开）"
    )


def test_jixiao_ingest_of_a_zip_stores_each_member(batch_zip, tmp_path):
    db = tmp_path / "z.duckdb"
    result = ingest([batch_zip], db, workers=1)
    statuses = {r.path.split("!/", 1)[1]: r.status for r in result.files}
    assert statuses["损坏的.docx"] == "failed" and len(statuses) == 5
    assert sum(1 for s in statuses.values() if s != "failed") == 4
    # The sample holds 4 forms; the three Sichuan copies are one form (the later ones supersede the first).
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        paths = {p for (p,) in con.execute("select path from sources where status <> 'failed'").fetchall()}
    assert f"{batch_zip}!/2022年/武威市政务服务中心.txt" in paths
    again = ingest(
        [batch_zip], db, workers=1
    )  # members unchanged: nothing parsed again, the broken one retried
    assert again.unchanged == 4 and len(again.failed) == 1


def test_archive_limits_and_broken_archives(tmp_path, monkeypatch):
    from dashboard.ingest.readers import archive

    many = write_gbk_zip({f"表{k}.txt": b"x" for k in range(5)}, tmp_path / "多.zip")
    monkeypatch.setattr(archive, "MAX_MEMBERS", 4)
    doc = parse_source(many)
    assert doc.error == "多.zip: 压缩包内有 5 个文件，超过上限 4 个，请分开打包"
    broken = tmp_path / "坏.zip"
    broken.write_bytes(b"PK\x03\x04garbage")
    assert expand_paths([broken]) == [broken]
    assert parse_source(broken).error == "坏.zip: 压缩包已损坏或不是 zip 文件"
    empty = write_gbk_zip({"说明.bak": b"x"}, tmp_path / "空.zip")
    assert parse_source(empty).error.startswith("空.zip: 压缩包中没有可导入的文件")


def test_parse_bytes_refuses_an_archive_with_a_clear_message():
    doc = parse_source_bytes("批量.zip", b"PK\x03\x04")
    assert doc.error is not None and "压缩包" in doc.error


# -- text PDFs through PDFium ------------------------------------------------------------------------------------
def test_pdf_tables_from_ruling_lines(source):
    name, grid, expected, tmp = source
    path = write_pdf(grid, tmp / f"{name}-small.pdf", font_size=6 if name == "sample" else 9)
    assert records(parse_file(path)) == expected
