"""Write one form grid as the containers departments send: a saved web page (rowspan/colspan, optionally inside
a government site's chrome and layout tables), a .doc/.wps through LibreOffice, a GBK-named zip, and scans
(a rendered PDF rasterised, rotated a little, with light noise, as image PDF and PNG)."""

from __future__ import annotations

import html
import io
import random
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tests.formats import Grid, level_merges, write_pdf

CHROME_TOP = """<div class="top"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/xxgk">信息公开</a></li></ul></div>
<table width="100%"><tr><td class="crumb">当前位置：首页 &gt; 政务公开 &gt; 财政预决算</td></tr>
<tr><td><table><tr><td><h2>{title}</h2><div class="info">发布时间：2024-04-12 09:30　来源：本站
　字体：[大] [中] [小]　浏览次数：318</div>
"""
CHROME_BOTTOM = """</td></tr></table></td></tr></table>
<div class="tools">【打印本页】【关闭窗口】</div><div class="foot">主办单位：某某县人民政府办公室　备案号：蜀ICP备00000000号</div>
<script>var visits = 318; document.write("统计");</script>
"""


def html_table(grid: Grid, merges: bool = True) -> str:
    """Table rows as HTML: vertical level merges as rowspan (when `merges`), a value followed by empty cells as
    colspan (always: a web table never has a run of empty cells after a value that spans them)."""
    spans = {(top, col): bottom - top + 1 for col, top, bottom in level_merges(grid)} if merges else {}
    covered = {(top + k, col) for (top, col), n in spans.items() for k in range(1, n)}
    out = ['<table border="1" cellspacing="0">']
    for r, row in enumerate(grid):
        cells = []
        c = 0
        while c < len(row):
            if (r, c) in covered:
                c += 1
                continue
            text = row[c]
            cs = 1
            while text and c + cs < len(row) and not row[c + cs] and (r, c + cs) not in covered:
                cs += 1
            attrs = (f' rowspan="{spans[(r, c)]}"' if (r, c) in spans else "") + (
                f' colspan="{cs}"' if cs > 1 else ""
            )
            body = html.escape(text).replace("\n", "<br>")
            cells.append(f"<td{attrs}><p>{body}</p></td>" if text else f"<td{attrs}>&nbsp;</td>")
            c += cs
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def write_html(grid: Grid, chrome: bool = False, encoding: str = "utf-8", merges: bool = True) -> bytes:
    """Paragraph lines before the table as <p>, the rows of several cells as one table per block."""
    parts: list[str] = []
    block: Grid = []

    def flush() -> None:
        if block:
            parts.append(html_table(block, merges))
            block.clear()

    for row in grid:
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        if len(row) == 1 or (len(filled) == 1 and not block and row[0].strip()):
            flush()
            parts.append(f"<p>{html.escape(filled[0])}</p>")
        else:
            block.append(row)
    flush()
    body = "\n".join(parts)
    title = next((c for row in grid for c in row if c.strip()), "")
    if chrome:
        body = CHROME_TOP.format(title=html.escape(title)) + body + CHROME_BOTTOM
    charset = {"gb18030": "gb2312"}.get(encoding, encoding)
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{html.escape(title)}</title><style>td{{border:1px solid #000}}</style></head>"
        f"<body>{body}</body></html>"
    )
    return page.encode(encoding)


def convert(src: Path, fmt: str, outdir: Path, infilter: str | None = None) -> Path:
    """LibreOffice headless conversion (own profile), e.g. fmt `doc:MS Word 97` or `xls`; `infilter` forces
    the import filter (`HTML (StarWriter)` reads a web page as a Word document, tables and spans kept)."""
    with tempfile.TemporaryDirectory(prefix="jixiao-test-lo-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                *([f"--infilter={infilter}"] if infilter else []),
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return outdir / f"{src.stem}.{fmt.split(':')[0]}"


class _GbkInfo(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):  # zipfile would write UTF-8 and set the flag
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_gbk_zip(members: dict[str, bytes], path: Path) -> Path:
    """A zip as Chinese Windows writes it: member names in GBK, without the UTF-8 flag."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = _GbkInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    with zipfile.ZipFile(path) as z:  # as Python reads it back: cp437 mojibake, no flag
        assert all(not i.flag_bits & 0x800 for i in z.infolist())
    return path


def scan_pages(grid: Grid, tmp: Path, dpi: int, angle: float, seed: int = 7, font_size: float = 9) -> list:
    """The form as a printed-and-scanned page set: text PDF -> greyscale raster -> rotated -> light noise."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = write_pdf(grid, tmp / f"print-{font_size}.pdf", font_size=font_size)
    doc = pdfium.PdfDocument(str(pdf))
    rng = np.random.default_rng(seed)
    random.seed(seed)
    pages = []
    for k in range(len(doc)):
        image = doc[k].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(
            angle * (1 if k % 2 == 0 else -1), resample=Image.BICUBIC, expand=True, fillcolor=255
        )
        a = np.asarray(image).astype(np.int16)
        a = a + rng.normal(0, 12, a.shape).astype(np.int16)  # sensor noise
        specks = rng.random(a.shape) < 0.0008  # dust
        a[specks] = 0
        pages.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))
    doc.close()
    return pages


def image_pdf(pages: list, dpi: int) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def png(page) -> bytes:
    buf = io.BytesIO()
    page.save(buf, "PNG")
    return buf.getvalue()
