"""Zip batches: the members a department's archive holds, each to be read by its own reader.

Members are named `archive.zip!/path/in/archive`. Names from Chinese Windows are GBK without the UTF-8 flag
(Python's zipfile shows them as cp437 mojibake): they are decoded back. An archive inside the archive is
expanded once (its members `outer.zip!/inner.zip!/…`), not further. Limits keep a hostile or broken archive
from filling memory: member count, each member's and the total expanded size, the compression ratio.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dashboard.ingest.errors import IngestError

SEP = "!/"
MAX_MEMBERS = 500
MAX_MEMBER_MB = 50
MAX_TOTAL_MB = 300
MAX_RATIO = 200  # expanded size / compressed size above which a member is refused as a zip bomb
NESTED_DEPTH = 1


@dataclass(frozen=True)
class Member:
    name: str  # `archive.zip!/path/in/archive`
    data: bytes | None  # None when the member could not be taken out (see error)
    error: str | None = None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it: UTF-8 when flagged, else GBK (Chinese Windows) when that
    decodes, else what zipfile made of it."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def is_archive(name: str | Path) -> bool:
    return str(name).lower().endswith(".zip")


def split_member(name: str) -> tuple[str, str | None]:
    """`x.zip!/a/b.txt` -> (`x.zip`, `a/b.txt`); a plain path -> (path, None). The first `!/` after `.zip`."""
    at = name.lower().find(".zip" + SEP)
    if at < 0:
        return name, None
    return name[: at + 4], name[at + 4 + len(SEP) :]


def members(archive: str | Path, data: bytes, accepted: tuple[str, ...], depth: int = 0) -> list[Member]:
    """The archive's members with an accepted suffix, in archive order (folders and other files skipped,
    nested archives expanded once). Raises IngestError when the archive itself cannot be read."""
    archive = str(archive)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as e:
        raise IngestError(archive, "压缩包已损坏或不是 zip 文件") from e
    out: list[Member] = []
    total = 0
    with z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise IngestError(
                archive, f"压缩包内有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS} 个，请分开打包"
            )
        for info in infos:
            inner = member_name(info)
            path = PurePosixPath(inner.replace("\\", "/"))
            if any(part in ("..", "") for part in path.parts[1:]) or path.is_absolute():
                path = PurePosixPath(*[p for p in path.parts if p not in ("..", "/")])
            if path.name.startswith(".") or "__MACOSX" in path.parts:
                continue
            name = f"{archive}{SEP}{path}"
            suffix = path.suffix.lower()
            nested = suffix == ".zip"
            if not nested and suffix not in accepted:
                continue
            if info.flag_bits & 0x1:
                out.append(Member(name, None, "压缩包内的文件已加密，无法读取"))
                continue
            size_mb = info.file_size / 1024 / 1024
            if size_mb > MAX_MEMBER_MB or (
                info.compress_size and info.file_size / info.compress_size > MAX_RATIO and size_mb > 1
            ):
                out.append(
                    Member(name, None, f"压缩包内的文件解压后 {size_mb:.0f} MB，超过上限 {MAX_MEMBER_MB} MB")
                )
                continue
            total += info.file_size
            if total > MAX_TOTAL_MB * 1024 * 1024:
                raise IngestError(archive, f"压缩包解压后超过 {MAX_TOTAL_MB} MB，请分开打包")
            try:
                body = z.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError) as e:
                out.append(Member(name, None, f"压缩包内的文件已损坏（{type(e).__name__}）"))
                continue
            if nested:
                if depth >= NESTED_DEPTH:
                    out.append(Member(name, None, "压缩包内的压缩包只展开一层，更深的一层未导入"))
                    continue
                try:
                    out.extend(members(name, body, accepted, depth + 1))
                except IngestError as e:
                    out.append(Member(name, None, e.detail))
                continue
            out.append(Member(name, body))
    return out
