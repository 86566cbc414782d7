"""The aligner's dynamic program over arrays, compiled by Numba.

`align.Aligner.align` prepares every cost in Python (what each token costs in each role, its spans, its drop and
row penalties) and this kernel runs the recursion over them: the cheapest reading of tokens[:i] that leaves the
open row's last placed role at q is best[i, q] (q == m: no open row). The order of the updates and the strict `<`
comparisons are those of the reference implementation, so costs and tie-breaking match it exactly (no fastmath:
the same IEEE additions in the same order).

It returns the cheapest path's steps in order (token span [i, j), role, action: SAME, DROP, NEW, PAIR, NEW_PAIR)
and the path's cost after each step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dashboard.ingest.align_codes import (
    DROP,
    F_EMPTY,
    F_L3BAD,
    F_NO_DEV,
    F_NUMLIKE,
    F_OP_ONLY,
    F_VALUELIKE,
    NEW,
    NEW_PAIR,
    PAIR,
    R_LEVEL3,
    R_MULTI,
    R_VALUE,
    SAME,
)

TOL = 1e-7  # rows whose comparison key is this close to the cheapest are costed exactly


@njit(cache=True, inline="always")
def _place(
    best,
    back_i,
    back_r,
    back_a,
    i,
    q,
    j,
    e,
    cands,
    n_cands,
    mid_prefix,
    cp,
    d,
    closing,
    closing_r,
    new_base,
    start_prefix,
):
    """Token span [i, j) in role q: in the open row (from each candidate row), as a drop (j == i + 1), as a new
    row; in this order, each only where strictly cheaper."""
    inf = np.inf
    for k in range(n_cands):
        r = cands[k]
        c = best[i, r] + mid_prefix[q] - mid_prefix[r + 1] + cp + e
        if c < best[j, q]:
            best[j, q] = c
            back_i[j, q] = i
            back_r[j, q] = r
            back_a[j, q] = SAME
    if j == i + 1:  # drop token i from row q: after the rows r < q placing it in q, before a new row
        c0 = best[i, q]
        if c0 < inf:
            c = c0 + d
            if c < best[i + 1, q]:
                best[i + 1, q] = c
                back_i[i + 1, q] = i
                back_r[i + 1, q] = q
                back_a[i + 1, q] = DROP
    if closing < inf:
        c = new_base + start_prefix[q] + e
        if c < best[j, q]:
            best[j, q] = c
            back_i[j, q] = i
            back_r[j, q] = closing_r
            back_a[j, q] = NEW


@njit(cache=True, nogil=True)
def run(
    single,  # float64[n, m]: token i alone in role q
    tok,  # int64[n, 3]: each token's line, piece within the line, and flags (the F_* bits)
    role_limit,  # int64[m]: how many tokens one cell of the role may take
    role_extra,  # float64[m]: the cost of each token beyond the first
    role_flags,  # int64[m]: R_MULTI (may take several whole cells), R_VALUE (target, actual), R_LEVEL3
    max_span,
    drop,  # float64[n]: dropping token i
    new_pen,  # float64[n]: a new row starting at token i
    cont_pen,  # float64[n]: token i continuing an open row
    pair_e,  # float64[n]: tokens i, i + 1 as 分值 and 得分 (inf: not a pair)
    pair_at,  # the 分值 role of a 分值 | 得分 pair, -1 if none
    close_at,  # float64[m + 1]: closing a row whose last role is r
    start_prefix,  # float64[m + 1]: skipping roles [0, q) at a row's start
    mid_prefix,  # float64[m + 1]: skipping roles [0, q) in a row's middle (differences give a range)
    new_row,
):
    n, m = single.shape
    inf = np.inf
    best = np.full((n + 1, m + 1), inf)
    back_i = np.zeros((n + 1, m + 1), np.int64)
    back_r = np.zeros((n + 1, m + 1), np.int64)
    back_a = np.zeros((n + 1, m + 1), np.int8)
    best[0, m] = 0.0
    lo_at = np.empty(m + 1)
    arg_at = np.zeros(m + 1, np.int64)
    tie_at = np.zeros(m + 1, np.bool_)
    cands = np.zeros(m + 1, np.int64)
    for i in range(n):
        # New rows starting at token i: close the cheapest open row first.
        closing = inf
        closing_r = m
        for r in range(m + 1):
            c = best[i, r] + close_at[r]
            if c < closing:
                closing = c
                closing_r = r
        if closing == inf:
            closing_r = m
        cp = cont_pen[i]
        d = drop[i]
        pe = pair_e[i]
        # Same row: 分值 and 得分 as a pair.
        if pe < inf:
            t = pair_at + 1
            for r in range(pair_at):
                c0 = best[i, r]
                if c0 == inf:
                    continue
                c = c0 + mid_prefix[pair_at] - mid_prefix[r + 1] + cp + pe
                if c < best[i + 2, t]:
                    best[i + 2, t] = c
                    back_i[i + 2, t] = i
                    back_r[i + 2, t] = r
                    back_a[i + 2, t] = PAIR
        # For each role q: the cheapest open row r < q by c0 - mid_prefix[r + 1], and whether another is as cheap.
        lo = inf
        arg = 0
        tie = False
        lo_at[0] = inf
        arg_at[0] = 0
        tie_at[0] = False
        for r in range(m):
            c0 = best[i, r]
            if c0 < inf:
                key = c0 - mid_prefix[r + 1]
                if key < lo:
                    tie = lo <= key + TOL
                    lo = key
                    arg = r
                elif key <= lo + TOL:
                    tie = True
            lo_at[r + 1] = lo
            arg_at[r + 1] = arg
            tie_at[r + 1] = tie
        new_base = closing + new_row + new_pen[i]
        row_i = tok[i, 0]
        f0 = tok[i, 2]
        empty0 = (f0 & F_EMPTY) != 0
        runs_on = i + 1 < n and tok[i + 1, 0] == row_i and tok[i + 1, 1] > 0 and not empty0
        span_end = min(n, i + max_span)
        for q in range(m):
            e = single[i, q]
            if e == inf:
                continue
            # The cheapest open rows this role's placements come from.
            if lo_at[q] == inf:
                n_cands = 0
            elif not tie_at[q]:
                cands[0] = arg_at[q]
                n_cands = 1
            else:
                lim = lo_at[q] + TOL
                n_cands = 0
                for r in range(q):
                    c0 = best[i, r]
                    if c0 < inf and c0 - mid_prefix[r + 1] <= lim:
                        cands[n_cands] = r
                        n_cands += 1
            _place(
                best,
                back_i,
                back_r,
                back_a,
                i,
                q,
                i + 1,
                e,
                cands,
                n_cands,
                mid_prefix,
                cp,
                d,
                closing,
                closing_r,
                new_base,
                start_prefix,
            )
            last = min(span_end, i + role_limit[q])
            multi = (role_flags[q] & R_MULTI) != 0
            if last <= i + 1 or not (runs_on or (multi and not empty0)):
                continue
            # Longer spans tokens[i:j] as one cell, in order of j (the checks of what one cell can hold).
            if empty0:
                continue  # a span starting at an empty cell is never one cell
            value_role = (role_flags[q] & R_VALUE) != 0
            level3 = (role_flags[q] & R_LEVEL3) != 0
            extra = role_extra[q]
            same_line = True
            n_filled = 1
            numbers = 1 if (f0 & F_NUMLIKE) != 0 else 0
            first_op = 1 if (f0 & F_OP_ONLY) != 0 else 0
            any_value = (f0 & F_VALUELIKE) != 0
            level3_bad = (f0 & F_L3BAD) != 0
            no_dev = multi and (f0 & F_NO_DEV) != 0
            total = e
            for j in range(i + 2, last + 1):
                x = j - 1
                fx = tok[x, 2]
                same_line = same_line and tok[x, 0] == row_i and tok[x, 1] > 0
                empty_x = (fx & F_EMPTY) != 0
                if not empty_x:
                    n_filled += 1
                    if (fx & F_NUMLIKE) != 0:
                        numbers += 1
                    any_value = any_value or (fx & F_VALUELIKE) != 0
                    level3_bad = level3_bad or (fx & F_L3BAD) != 0
                    no_dev = no_dev or (multi and (fx & F_NO_DEV) != 0)
                    total = total + single[x, q]
                ok = True
                if (
                    j - i > role_limit[q]
                    or not (same_line or multi)
                    or empty_x
                    or (n_filled < j - i and not multi)
                ):
                    ok = False
                elif numbers >= 2 or (value_role and first_op == 0 and any_value):
                    ok = False  # `100% 100%`, `健全 100%`, `市级以上 无`: two cells, never one value
                elif level3 and level3_bad:
                    ok = False  # a level word or a value beside a name is a cell of its own
                elif not same_line and no_dev:
                    ok = False  # 无偏差 is a whole note: the next cell starts the next row
                cost = inf
                if ok:
                    cost = total + extra * (n_filled - 1)
                    if not same_line:
                        cost += 1.0
                if cost == inf:
                    if empty_x:
                        continue  # a span may reach past an empty cell
                    break
                _place(
                    best,
                    back_i,
                    back_r,
                    back_a,
                    i,
                    q,
                    j,
                    cost,
                    cands,
                    n_cands,
                    mid_prefix,
                    cp,
                    d,
                    closing,
                    closing_r,
                    new_base,
                    start_prefix,
                )
        # Drop token i from the rows it cannot be placed in (and from no open row).
        for r in range(m + 1):
            if r < m and single[i, r] < inf:
                continue
            c0 = best[i, r]
            if c0 == inf:
                continue
            c = c0 + d
            if c < best[i + 1, r]:
                best[i + 1, r] = c
                back_i[i + 1, r] = i
                back_r[i + 1, r] = r
                back_a[i + 1, r] = DROP
        if closing < inf and pe < inf:
            c = closing + new_row + new_pen[i] + start_prefix[pair_at] + pe
            if c < best[i + 2, pair_at + 1]:
                best[i + 2, pair_at + 1] = c
                back_i[i + 2, pair_at + 1] = i
                back_r[i + 2, pair_at + 1] = closing_r
                back_a[i + 2, pair_at + 1] = NEW_PAIR
    # Close the last row (the first cheapest), then follow the back pointers: the path's steps in order.
    final_r = 0
    final = inf
    for r in range(m + 1):
        c = best[n, r] + close_at[r]
        if c < final:
            final = c
            final_r = r
    steps = np.zeros((n, 4), np.int64)  # each step: i, j, role, action; its cost in costs
    costs = np.zeros(n)
    k = 0
    j = n
    r = final_r
    while j > 0:
        steps[k, 0] = back_i[j, r]
        steps[k, 1] = j
        steps[k, 2] = r
        steps[k, 3] = back_a[j, r]
        costs[k] = best[j, r]
        k += 1
        j, r = back_i[j, r], back_r[j, r]
    return steps[:k][::-1].copy(), costs[:k][::-1].copy()


def warm() -> None:
    """Load the compiled kernel now (≈1 s from Numba's cache on first call in a process) on a one-token table."""
    one = np.zeros(1)
    run(
        np.zeros((1, 1)),
        np.zeros((1, 3), np.int64),
        np.ones(1, np.int64),
        np.zeros(1),
        np.zeros(1, np.int64),
        1,
        one,
        one,
        one,
        np.full(1, np.inf),
        -1,
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        0.4,
    )
