"""Office files are zip archives stamped with the time of writing; fixed stamps keep the demo byte-identical."""

from __future__ import annotations

import io
import re
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)
# openpyxl writes the time of saving into docProps/core.xml whatever `properties.modified` says, so two renders
# a second apart differed (the flaky test_generation_is_deterministic): the stamp is replaced here.
_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def normalized_zip(data: bytes, modified: str = "2024-01-01T00:00:00Z") -> bytes:
    """The same archive with every entry dated 1980-01-01 and the document's modified time set to `modified`,
    in the original order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, _EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()
