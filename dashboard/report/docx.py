"""The report as a Word document (python-docx): A4, real Heading 1/2 styles (the navigation pane and a table of
contents work), built-in table styles the reader can change, a PAGE field in the footer, charts as PNG sized to
their printed width. Fonts: Noto Sans CJK SC (headings, tables) and Noto Serif CJK SC (body text) — the fonts
LibreOffice embeds in the PDF; Word substitutes its own CJK fonts where they are missing.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import replace

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from dashboard import labels
from dashboard.report.model import Chart, ReportContent, Table, UnitPage

SANS = "Noto Sans CJK SC"
SERIF = "Noto Serif CJK SC"
PAGE_W_CM, PAGE_H_CM = 21.0, 29.7
MARGIN_CM = 2.2
TABLE_STYLE = "Medium Shading 1 Accent 1"  # a built-in style: Word's Table Design can switch it
ACCENT = RGBColor(0x1F, 0x5F, 0xA8)  # charts.PRIMARY
TEXT = RGBColor(0x1D, 0x27, 0x33)  # charts.TEXT_COLOR
MUTED = RGBColor(0x6B, 0x77, 0x85)  # charts.MUTED_COLOR
WARN = RGBColor(0xB4, 0x2B, 0x1F)  # the 示例数据 marker
SECTION_NUMBERS = "一二三四五六七八九十"


def print_widths() -> tuple[float, float]:
    """The text width in inches of a portrait and of a landscape page (where the charts go)."""
    return (PAGE_W_CM - 2 * MARGIN_CM) / 2.54, (PAGE_H_CM - 2 * MARGIN_CM) / 2.54


def build_docx(content: ReportContent) -> bytes:
    writer = _Writer(content)
    writer.write()
    out = io.BytesIO()
    writer.doc.save(out)
    return out.getvalue()


# -- styles --------------------------------------------------------------------------------------------------------
def _set_fonts(rpr_owner, latin: str, east_asia: str | None = None) -> None:
    """Set a style's or run's fonts explicitly (theme fonts would win over plain names, so they are removed)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia or latin)


def _style_fonts(
    style, latin: str, size: float | None = None, bold: bool | None = None, color: RGBColor | None = None
) -> None:
    _set_fonts(style.element, latin)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color


def _setup_styles(doc: DocumentObject) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _style_fonts(normal, SERIF, 10.5, color=TEXT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.line_spacing = 1.35
    fmt.space_after = Pt(4)
    for name, size, color, before, after in (
        ("Heading 1", 16, ACCENT, 18, 8),
        ("Heading 2", 13, TEXT, 12, 6),
        ("Heading 3", 10.5, TEXT, 8, 4),
    ):
        style = styles[name]
        _style_fonts(style, SANS, size, True, color)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.line_spacing = 1.2
    _style_fonts(styles["Title"], SANS, 30, True, ACCENT)
    title = styles["Title"].paragraph_format
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.space_after = Pt(12)
    _remove_border(styles["Title"])
    _style_fonts(styles["Subtitle"], SANS, 16, False, TEXT)
    styles["Subtitle"].font.italic = False
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _style_fonts(styles["Caption"], SANS, 9.5, True, TEXT)
    styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Caption"].paragraph_format.space_before = Pt(4)
    styles["Caption"].paragraph_format.space_after = Pt(8)
    for name in ("Header", "Footer"):
        _style_fonts(styles[name], SANS, 8.5, color=MUTED)
    _style_fonts(styles["List Bullet"], SERIF, 10.5)
    _style_fonts(styles[TABLE_STYLE], SANS)
    _recolor(styles[TABLE_STYLE].element, {"4F81BD": "1F5FA8", "D3DFEE": "E8EEF6", "7BA0CD": "9DB5D1"})


def _recolor(element, colors: dict[str, str]) -> None:
    """The style's theme colours as the charts' blues (theme references would win over plain colours)."""
    theme_attrs = [
        qn(a)
        for a in (
            "w:themeColor",
            "w:themeTint",
            "w:themeShade",
            "w:themeFill",
            "w:themeFillTint",
            "w:themeFillShade",
        )
    ]
    for el in element.iter():
        for attr in (qn("w:fill"), qn("w:color")):
            value = el.get(attr)
            if value in colors:
                el.set(attr, colors[value])
                for t in theme_attrs:
                    el.attrib.pop(t, None)


def _declare_fonts(doc: DocumentObject) -> None:
    """Name Word's substitutes for the Noto fonts (微软雅黑, 宋体) in the font table: a reader without Noto CJK
    then sees a Chinese sans / serif rather than whatever Word picks (charset 86 = GB2312)."""
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        for name, alt, family in ((SANS, "微软雅黑", "swiss"), (SERIF, "宋体", "roman"))
    )
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")


def _remove_border(style) -> None:
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)


# -- small builders ------------------------------------------------------------------------------------------------
def _field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES …) as begin / instruction / separate / result / end runs."""

    def fld_char(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
        return run

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _shrink(paragraph: Paragraph) -> None:
    """Make the paragraph that carries a section break 1 pt high, so it never spills onto a page of its own."""
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    ppr = paragraph._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")  # the paragraph mark's size; schema order puts it before w:sectPr
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    rpr.append(size)
    sect = ppr.find(qn("w:sectPr"))
    if sect is not None:
        sect.addprevious(rpr)
    else:
        ppr.append(rpr)


def _header_row(tr) -> None:
    """Repeat the row on every page the table runs onto. No row is marked "can't split": LibreOffice 7.4 then
    drops the data rows of a table whose header lands at a page foot (the PDF showed an empty table), and a row
    split over two pages is better than a lost one."""
    tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _keep_with_next(tc) -> None:
    for ppr in tc.iter(qn("w:pPr")):
        _insert_before(
            ppr, OxmlElement("w:keepNext"), ("w:keepLines", "w:pageBreakBefore", "w:spacing", "w:jc")
        )


def _insert_before(parent, child, successors: tuple[str, ...]) -> None:
    """Insert `child` before the first of `successors` present (Word is strict about the schema's order)."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _cell_margins(table: DocxTable, top: int = 30, bottom: int = 30, side: int = 70) -> None:
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for edge, value in (("top", top), ("left", side), ("bottom", bottom), ("right", side)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(value))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    look = tblpr.find(qn("w:tblLook"))  # schema order: w:tblCellMar comes just before w:tblLook
    if look is not None:
        look.addprevious(mar)
    else:
        tblpr.append(mar)


def _look(table: DocxTable, first_row: bool = True, first_column: bool = False, banded: bool = True) -> None:
    """Which parts of the table style apply (Word's Table Design check boxes)."""
    tblpr = table._tbl.tblPr
    look = tblpr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tblpr.append(look)
    look.set(qn("w:firstRow"), "1" if first_row else "0")
    look.set(qn("w:lastRow"), "0")
    look.set(qn("w:firstColumn"), "1" if first_column else "0")
    look.set(qn("w:lastColumn"), "0")
    look.set(qn("w:noHBand"), "0" if banded else "1")
    look.set(qn("w:noVBand"), "1")
    flags = (0x20 if first_row else 0) | (0x80 if first_column else 0) | (0 if banded else 0x200) | 0x400
    look.set(qn("w:val"), f"{flags:04X}")


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


@functools.cache
def _run_template(half_points: int, bold: bool, color: str | None):
    """A w:r with its properties, copied for every table cell (building each through python-docx's property
    setters costs seconds on a 40-unit report). Fonts are direct: Normal (serif) would win over the table style."""
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    rpr.append(_el("w:rFonts", ascii=SANS, hAnsi=SANS, eastAsia=SANS, cs=SANS))
    if bold:
        rpr.append(OxmlElement("w:b"))
    if color:
        rpr.append(_el("w:color", val=color))
    rpr.append(_el("w:sz", val=str(half_points)))
    rpr.append(_el("w:szCs", val=str(half_points)))
    run.append(rpr)
    return run


@functools.cache
def _cell_ppr_template(align: str):
    ppr = OxmlElement("w:pPr")
    ppr.append(_el("w:spacing", before="0", after="0", line="264", lineRule="auto"))
    ppr.append(_el("w:jc", val={"left": "left", "right": "right", "center": "center"}[align]))
    return ppr


def _fill_cell(
    tc,
    text: str,
    size: float,
    align: str = "left",
    bold: bool = False,
    color: str | None = None,
    width_cm: float | None = None,
    fill: str | None = None,
) -> None:
    """Write `text` (lines split on \\n) into a w:tc made by python-docx's add_table."""
    tcpr = tc.get_or_add_tcPr()
    if width_cm is not None:
        tcw = tcpr.find(qn("w:tcW"))
        if tcw is None:
            tcw = OxmlElement("w:tcW")
            tcpr.insert(0, tcw)
        tcw.set(qn("w:w"), str(round(width_cm / 2.54 * 1440)))
        tcw.set(qn("w:type"), "dxa")
    if fill:
        tcpr.append(_el("w:shd", val="clear", color="auto", fill=fill))
    p = tc.find(qn("w:p"))
    p.insert(0, deepcopy(_cell_ppr_template(align)))
    template = _run_template(round(size * 2), bold, color)
    for i, line in enumerate(str(text).split("\n")):
        run = deepcopy(template)
        if i:
            run.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = line
        run.append(t)
        p.append(run)


# -- the document --------------------------------------------------------------------------------------------------
class _Writer:
    def __init__(self, content: ReportContent):
        self.c = content
        self.doc = Document()
        self.n_tables = 0
        self.n_figures = 0
        self.n_sections = 0
        _setup_styles(self.doc)
        _declare_fonts(self.doc)
        # style ids looked up once: python-docx resolves a style name by scanning every style on each use
        self.style_ids = {
            name: self.doc.styles[name].style_id
            for name in (
                "Heading 1",
                "Heading 2",
                "Heading 3",
                "Title",
                "Subtitle",
                "Caption",
                "List Bullet",
                TABLE_STYLE,
                "Table Grid",
            )
        }

    def add(self, text: str = "", style: str | None = None) -> Paragraph:
        """doc.add_paragraph without the per-call style lookup."""
        p = self.doc.add_paragraph(text)
        if style is not None:
            p._p.style = self.style_ids[style]
        return p

    # sections and page furniture
    def _page(self, section, landscape: bool = False) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        w, h = (PAGE_H_CM, PAGE_W_CM) if landscape else (PAGE_W_CM, PAGE_H_CM)
        section.page_width, section.page_height = Cm(w), Cm(h)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(MARGIN_CM))
        section.header_distance = Cm(1.1)
        section.footer_distance = Cm(1.0)

    def _new_section(self, landscape: bool = False):
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        for restart in section._sectPr.findall(qn("w:pgNumType")):  # page numbers run on across sections
            section._sectPr.remove(restart)
        _shrink(self.doc.paragraphs[-1])
        self._page(section, landscape)
        return section

    def _furniture(self, section) -> None:
        """Header (title, year, scope; the 示例数据 marker) and footer (— page —) from the first body page on."""
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        pg = OxmlElement("w:pgNumType")
        pg.set(qn("w:start"), "1")
        _insert_before(
            section._sectPr,
            pg,
            (
                "w:cols",
                "w:formProt",
                "w:vAlign",
                "w:noEndnote",
                "w:titlePg",
                "w:textDirection",
                "w:bidi",
                "w:rtlGutter",
                "w:docGrid",
            ),
        )
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if self.c.is_synthetic:
            marker = header.add_run(f"{labels.SYNTHETIC_NOTE}　")
            marker.font.color.rgb = WARN
            marker.font.bold = True
        scope = self.c.scope if len(self.c.scope) <= 24 else self.c.scope.split("：")[0]
        header.add_run(f"{self.c.title}｜{self.c.year}年度｜{scope}")
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("— ")
        _field(footer, "PAGE")
        footer.add_run(" —")

    # text
    def heading(self, text: str, level: int, page_break: bool = False) -> Paragraph:
        p = self.add(text, f"Heading {level}")
        if page_break:
            p.paragraph_format.page_break_before = True
        return p

    def section_heading(self, text: str, page_break: bool = False) -> Paragraph:
        number = SECTION_NUMBERS[self.n_sections]
        self.n_sections += 1
        return self.heading(f"{number}、{text}", 1, page_break)

    def para(
        self,
        text: str,
        style: str | None = None,
        size: float | None = None,
        color: RGBColor | None = None,
        indent: bool = True,
    ) -> Paragraph:
        p = self.add(style=style)
        run = p.add_run(text)
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
        if indent and style is None:
            p.paragraph_format.first_line_indent = Pt(21)  # two characters, as Chinese prose is set
        return p

    def note(self, text: str) -> Paragraph:
        p = self.para(text, size=8.5, color=MUTED, indent=False)
        _set_fonts(p.runs[0]._r, SANS)
        p.paragraph_format.space_after = Pt(10)
        return p

    # figures and tables
    def figure(self, chart: Chart) -> None:
        if not chart.png:
            return
        self.n_figures += 1
        p = self.add()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        p.add_run().add_picture(io.BytesIO(chart.png), width=Emu(int(chart.width_in * 914400)))
        self.add(f"图{self.n_figures}　{chart.caption}", "Caption")

    def table(self, t: Table, numbered: bool = True, spacer: bool = True) -> DocxTable | None:
        if numbered:
            self.n_tables += 1
            cap = self.add(f"表{self.n_tables}　{t.caption}", "Caption")
            cap.paragraph_format.keep_with_next = True
        if not t.rows:
            if t.note:
                self.note(t.note)
            return None
        table = self.doc.add_table(rows=len(t.rows) + 1, cols=len(t.columns))
        table._tbl.tblStyle_val = self.style_ids[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _look(table)
        _cell_margins(table)
        for i, col in enumerate(t.columns):
            table.columns[i].width = Cm(col.width_cm)
        trs = table._tbl.tr_lst
        _header_row(trs[0])
        for tc, col in zip(trs[0].tc_lst, t.columns):
            _fill_cell(tc, col.header, t.font_pt, "center", bold=True, width_cm=col.width_cm)
            _keep_with_next(tc)  # the header never ends a page without a row under it
        for r, values in enumerate(t.rows):
            tr = trs[r + 1]
            bold = r in t.emphasis
            for tc, col, value in zip(tr.tc_lst, t.columns, values):
                _fill_cell(tc, value, t.font_pt, col.align, bold=bold, width_cm=col.width_cm)
        if t.note:
            for tc in trs[-1].tc_lst:  # the note never starts a page alone: the last row keeps with it
                _keep_with_next(tc)
            self.note(t.note).paragraph_format.space_before = Pt(3)
        elif spacer:
            self.add().paragraph_format.space_after = Pt(4)
        return table

    def facts(
        self,
        items: Sequence[tuple[str, str]],
        widths: tuple[float, float] = (2.6, 5.7),
        pairs_per_row: int = 2,
        size: float = 9.5,
        padding: int = 50,
    ) -> DocxTable:
        """Label / value pairs in a grid (cover, unit pages): labels shaded, values plain."""
        n_rows = (len(items) + pairs_per_row - 1) // pairs_per_row
        table = self.doc.add_table(rows=n_rows, cols=2 * pairs_per_row)
        table._tbl.tblStyle_val = self.style_ids["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _cell_margins(table, padding, padding, 90)
        for i in range(2 * pairs_per_row):
            table.columns[i].width = Cm(widths[i % 2])
        trs = table._tbl.tr_lst
        for idx, (label, value) in enumerate(items):
            tcs = trs[idx // pairs_per_row].tc_lst
            k = 2 * (idx % pairs_per_row)
            _fill_cell(
                tcs[k], label, size, "left", bold=True, color=str(TEXT), width_cm=widths[0], fill="EEF2F7"
            )
            _fill_cell(tcs[k + 1], value, size, "left", width_cm=widths[1])
        gap = self.add()
        gap.paragraph_format.space_after = Pt(0)
        gap.paragraph_format.line_spacing = 1.0
        return table

    # the parts of the report
    def write(self) -> None:
        self._page(self.doc.sections[0])
        self.cover()
        self._furniture(self._new_section())
        self.overview()
        self.ranking()
        self.distribution()
        self.execution()
        self._new_section(landscape=True)
        self.low_scoring()
        self._new_section()
        self.quality()
        self.review()
        self.appendix()

    def cover(self) -> None:
        c = self.c
        for _ in range(3):
            self.add()
        self.add(c.title, "Title")
        self.add(c.subtitle, "Subtitle")
        if c.is_synthetic:
            p = self.add()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = Pt(18)
            run = p.add_run(f"【{labels.SYNTHETIC_NOTE}】")
            run.font.color.rgb = WARN
            run.font.bold = True
            run.font.size = Pt(14)
            _set_fonts(run._r, SANS)
            self.para(
                "本报告含为演示生成的虚构自评表（文件名带“示例数据”），其中的单位、金额与得分均不是真实情况，"
                "不得作为决策依据。",
                size=10,
                color=WARN,
                indent=False,
            ).alignment = WD_ALIGN_PARAGRAPH.CENTER
        for _ in range(3):
            self.add()
        self.facts(c.cover_facts, widths=(2.6, 11.4), pairs_per_row=1, size=10.5)

    def overview(self) -> None:
        self.section_heading("总体情况")
        for text in self.c.summary:
            self.para(text)
        self.table(self.c.kpis)

    def ranking(self) -> None:
        self.section_heading("单位排名", page_break=True)
        self.para(self.c.ranking_intro)
        self.figure(self.c.ranking_chart)
        self.table(self.c.ranking)

    def distribution(self) -> None:
        self.section_heading("得分分布", page_break=True)
        self.para(self.c.distribution_intro)
        self.figure(self.c.distribution_chart)
        self.table(self.c.distribution)

    def execution(self) -> None:
        self.section_heading("预算执行", page_break=True)
        self.para(self.c.execution_intro)
        self.figure(self.c.execution_chart)
        self.table(self.c.execution)

    def low_scoring(self) -> None:
        self.section_heading("扣分及未达目标指标")
        table = self.c.low_scoring
        self.para(self.c.low_scoring_intro + (table.note or "") if table.rows else self.c.low_scoring_intro)
        self.table(replace(table, note=None) if table.rows else table, spacer=False)

    def quality(self) -> None:
        self.section_heading("数据质量")
        self.para(self.c.quality_intro)
        self.heading("（一）填报总分与重新计算总分", 2)
        self.table(self.c.totals)
        self.heading("（二）核查发现", 2)
        self.figure(self.c.findings_chart)
        self.table(self.c.findings)

    def review(self) -> None:
        if self.c.review_forms is None or self.c.review_units is None:
            return
        self.section_heading("复核建议", page_break=True)
        self.para(self.c.review_intro)
        if self.c.review_forms.rows:
            self.heading("（一）建议优先复核的自评表", 2)
            self.table(self.c.review_forms)
            self.heading("（二）各单位最常见的问题", 2)
            self.table(self.c.review_units)

    def appendix(self) -> None:
        self.heading("附录一　各单位情况摘要", 1, page_break=True)
        self.para(f"以下每个单位一页，按{self.c.year}年名次排列。", indent=False)
        for i, page in enumerate(self.c.unit_pages):
            self.unit_page(page, page_break=i > 0)
        self.heading("附录二　数据来源", 1, page_break=True)
        self.para(
            f"本报告的数字全部取自下列自评表文件（共{len(self.c.sources.rows)}个），经导入、核查后计算得出；"
            "每个数字均可追溯到源文件的行。",
            indent=False,
        )
        self.table(self.c.sources, numbered=False)
        self.heading("附录三　口径说明", 1)
        for text in self.c.definitions:
            self.add(text, "List Bullet")

    def unit_page(self, page: UnitPage, page_break: bool) -> None:
        self.heading(page.unit, 2, page_break=page_break).paragraph_format.space_before = Pt(6)
        self.para(page.paragraph)
        self.facts(page.facts, widths=(2.2, 6.1), size=9, padding=30)
        for t in (page.forms, page.lost, page.findings):
            h = self.heading(t.caption, 3)
            h.paragraph_format.space_before = Pt(4)
            h.paragraph_format.space_after = Pt(2)
            self.table(t, numbered=False)
