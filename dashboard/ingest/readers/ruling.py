"""Tables recovered from their ruling lines: horizontal and vertical segments -> grid -> cells with their spans.

Shared by the text-PDF reader (segments are the page's thin path objects) and the scan reader (segments are
the long runs of dark pixels after deskewing). Coordinates are top-down (y grows downwards), in any unit; `tol`
is how far two segments may be apart and still be one line (or meet).

A gap in a ruling line between two grid cells merges them: that is how spans are drawn. The matrix a table
gives keeps a merged cell's text in its top-left grid cell and reports the vertical spans as Merges, exactly as
the .docx and sheet readers do, so grid.expand_merges treats them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.ingest.readers.grid import Merge


@dataclass(frozen=True)
class Segment:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.y1 - self.y0)


@dataclass
class Cell:
    top: int
    left: int
    bottom: int  # inclusive grid rows / columns
    right: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass
class Table:
    box: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    cells: list[Cell] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def matrix(self, texts: dict[int, str]) -> tuple[list[list[str]], list[Merge]]:
        """The grid with each cell's text (texts: index in self.cells -> text) at its top-left corner."""
        n_rows, n_cols = self.shape
        grid = [[""] * n_cols for _ in range(n_rows)]
        merges = []
        for k, c in enumerate(self.cells):
            grid[c.top][c.left] = texts.get(k, "")
            if c.bottom > c.top:
                merges.append(Merge(c.top, c.left, c.bottom, c.right))
        return grid, merges


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


class _Union:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _meet(h: Segment, v: Segment, tol: float) -> bool:
    return h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol


def _covers(segments: list[Segment], at: float, lo: float, hi: float, vertical: bool, tol: float) -> bool:
    """Whether a line at `at` (x for vertical, y for horizontal) runs over most of [lo, hi]."""
    need = (hi - lo) * 0.6
    run = 0.0
    for s in segments:
        pos, a, b = (s.x0, s.y0, s.y1) if vertical else (s.y0, s.x0, s.x1)
        if abs(pos - at) <= tol:
            run += max(0.0, min(b, hi) - max(a, lo))
    return run >= need


def find_tables(segments: list[Segment], tol: float, min_cells: int = 2) -> list[Table]:
    """Tables formed by crossing horizontal and vertical segments, top to bottom."""
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    # Normalize each segment to a line at its middle.
    hs = [Segment(s.x0, (s.y0 + s.y1) / 2, s.x1, (s.y0 + s.y1) / 2) for s in hs]
    vs = [Segment((s.x0 + s.x1) / 2, s.y0, (s.x0 + s.x1) / 2, s.y1) for s in vs]
    lines = hs + vs
    union = _Union(len(lines))
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _meet(h, v, tol):
                union.join(i, len(hs) + j)
    groups: dict[int, list[int]] = {}
    for k in range(len(lines)):
        groups.setdefault(union.find(k), []).append(k)
    tables = []
    for members in groups.values():
        gh = [lines[k] for k in members if k < len(hs)]
        gv = [lines[k] for k in members if k >= len(hs)]
        if len(gh) < 2 or len(gv) < 2:
            continue
        table = _table(gh, gv, tol)
        if table is not None and len(table.cells) >= min_cells:
            tables.append(table)
    return sorted(tables, key=lambda t: (t.box[1], t.box[0]))


def _table(hs: list[Segment], vs: list[Segment], tol: float) -> Table | None:
    ys = _cluster([h.y0 for h in hs], tol)
    xs = _cluster([v.x0 for v in vs], tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    union = _Union(n_rows * n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            if j + 1 < n_cols and not _covers(vs, xs[j + 1], ys[i], ys[i + 1], True, tol):
                union.join(i * n_cols + j, i * n_cols + j + 1)
            if i + 1 < n_rows and not _covers(hs, ys[i + 1], xs[j], xs[j + 1], False, tol):
                union.join(i * n_cols + j, (i + 1) * n_cols + j)
    regions: dict[int, list[tuple[int, int]]] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            regions.setdefault(union.find(i * n_cols + j), []).append((i, j))
    cells = []
    for members in regions.values():
        top = min(i for i, _ in members)
        bottom = max(i for i, _ in members)
        left = min(j for _, j in members)
        right = max(j for _, j in members)
        cells.append(Cell(top, left, bottom, right, (xs[left], ys[top], xs[right + 1], ys[bottom + 1])))
    cells.sort(key=lambda c: (c.top, c.left))
    return Table((xs[0], ys[0], xs[-1], ys[-1]), xs, ys, cells)
