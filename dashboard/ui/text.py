"""Form-derived text shown through Streamlit's Markdown elements, shown as text.

st.subheader, st.markdown, st.caption, st.info / warning / error / success / toast, metric labels and values,
expander and tab labels all render Markdown: an indicator named `![信标](http://…/b.png)` would make every
viewer's browser fetch that URL, `**粗**` would be bold and a file name with backticks would break out of a code
span. Every piece of text that came from a form, a file name, a user or an error message goes through md_text
(or md_code inside a code span) before it is put into such an element; the page's own words do not need to.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that mean something anywhere in a line (CommonMark inline syntax, GFM tables / strikethrough /
# autolinks, Streamlit's :color[…] / :material/icon: directives and $math$, entity references). Any ASCII
# punctuation may be backslash-escaped in CommonMark, and renders as itself.
_INLINE = re.compile(r"([\\`*_\[\]<>~$|!:&])")
# GFM turns `www.x.cn` into a link by itself (`http://` is already broken by the escaped colon).
_WWW = re.compile(r"(?i)(www)\.")
# Block markers, meaningful only at the start of a line: headings, lists, block quotes, thematic breaks and
# setext underlines (`---`, `===`), ordered-list numbers (`1.` `1)`).
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+*](?=\s|$)|[-=]{2,}\s*$|\d{1,9}(?=[.)](?:\s|$)))")


def _escape_line(line: str) -> str:
    indent = len(line) - len(line.lstrip(" \t"))
    # Four leading spaces would make an indented code block: keep the indent visible as no-break spaces.
    head, body = "\u00a0" * indent, line[indent:]
    body = _WWW.sub(r"\1\\.", _INLINE.sub(r"\\\1", body))
    m = _BLOCK_START.match(body)
    if m:  # `1.` -> `1\.` (the number stays, the list marker does not); `# x` -> `\# x`
        cut = len(m.group(2)) if m.group(2)[0].isdigit() else 0
        body = body[:cut] + "\\" + body[cut:]
    return head + body


def md_text(value: Any) -> str:
    """`value` as Markdown that renders as exactly its text: no image, link, emphasis, code, heading or list."""
    text = "" if value is None else str(value)
    return "\n".join(_escape_line(line) for line in text.split("\n"))


def md_code(value: Any) -> str:
    """`value` as one inline code span, whatever backticks it holds: fenced by a longer run of backticks."""
    text = " ".join(("" if value is None else str(value)).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # A span that starts or ends with a backtick (or a space) is padded; CommonMark strips one space each side.
    padded = f" {text} " if text[:1] in {"`", " "} or text[-1:] in {"`", " "} else text
    return f"{fence}{padded}{fence}"


__all__ = ["md_code", "md_text"]
