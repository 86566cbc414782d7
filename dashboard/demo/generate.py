"""Deterministic demo forms: a seed, a list of units and years -> one DocumentRec per unit and year.

Every document is generated from its own random stream (seed, unit, year), so documents can be produced in any
order and in parallel and still come out byte-identical. The few things that tie documents together (a unit's
drift over the years, notes copied between two units) are derived from the seed alone.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from dashboard.demo import city as V
from dashboard.demo.model import BudgetLineRec, DefectRec, DocumentRec, FormRec, IndicatorRec

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240601
SYNTHETIC_MARK = "示例数据"
BASE_YEAR = 2019  # where the units' drift starts


@dataclass(frozen=True)
class Rates:
    """Per-form probabilities of the planted defects (copied notes: pairs of units per year)."""

    total_mismatch: float = 0.04
    weights_not_100: float = 0.03
    score_out_of_range: float = 0.025
    duplicate_indicator: float = 0.03
    full_score_target_missed: float = 0.03
    unexplained_deduction: float = 0.03
    missing_budget_cell_department: float = 0.10
    missing_budget_cell_project: float = 0.02
    execution_rate_mismatch: float = 0.025
    project_budget_mismatch: float = 0.05
    copied_note_pairs_per_unit: float = 0.025
    unit_variant: float = 0.3
    glued_label: float = 0.012


@dataclass(frozen=True)
class Plan:
    units: tuple[V.UnitSpec, ...]
    years: tuple[int, ...]
    seed: int = DEFAULT_SEED
    rates: Rates = field(default_factory=Rates)
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def variants_of(self, name: str) -> tuple[str, ...]:
        if "variants" not in self._cache:
            self._cache["variants"] = {u.name: u.variants for u in self.units}
        return self._cache["variants"].get(name, ())

    def copy_roles(self, year: int) -> dict:
        key = ("copy", year)
        if key not in self._cache:
            self._cache[key] = copied_notes(
                self.seed, year, tuple(u.short for u in self.units), self.rates.copied_note_pairs_per_unit
            )
        return self._cache[key]


def make_plan(
    n_units: int = 40,
    years: tuple[int, ...] | range = range(2019, 2025),
    seed: int = DEFAULT_SEED,
    cities: tuple[str, ...] = (V.CITY,),
    rates: Rates | None = None,
) -> Plan:
    units = V.units_for(n_units, cities)
    units = [replace(u, short=u.name.removeprefix(V.CITY)) for u in units]
    return Plan(tuple(units), tuple(years), seed, rates or Rates())


# -- numbers -----------------------------------------------------------------------------------------------
def fmt(x: float, decimals: int = 2) -> str:
    """A number as forms write it: no trailing zeros (245, 291.54, 0.5)."""
    s = f"{x:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def money(cents: int) -> float:
    return round(cents / 100, 2)


def _round6(x: float) -> float:
    return float(round(x, 6))


_TEMPLATE = re.compile(r"^(?P<op>[≥≤><=])?(?P<num>\d+(?:\.\d+)?)(?P<mag>万|亿)?(?P<unit>.*)$")
_OP_OF = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "="}
_GLYPH_VARIANT = {"≥": "≧", "≤": "≦"}
_MAG = {"万": 1e4, "亿": 1e8, None: 1.0}


@dataclass
class Target:
    """A target as the vocabulary writes it, before a unit and year vary its number."""

    op: str | None  # glyph: ≥ ≤ > < = or None
    number: float | None
    decimals: int
    mag: str | None
    unit: str | None
    qual: str | None  # the word of a qualitative target (without its comparator)

    @property
    def is_pct(self) -> bool:
        return self.unit in ("%", "‰")


@lru_cache(maxsize=4096)
def parse_template(text: str) -> Target:
    m = _TEMPLATE.match(text)
    if not m:
        op = text[0] if text[0] in _OP_OF else None
        return Target(op, None, 0, None, None, text[1:] if op else text)
    num = m.group("num")
    mag, unit = m.group("mag"), m.group("unit") or None
    if mag and unit and unit.startswith("元"):  # 万元 / 亿元 are units (money stays in 万元), not magnitudes
        unit, mag = mag + unit, None
    decimals = len(num.split(".")[1]) if "." in num else 0
    return Target(m.group("op"), float(num), decimals, mag, unit, None)


@dataclass
class Written:
    text: str
    op: str | None
    value: float | None
    unit: str | None


def write_number(
    op_glyph: str | None,
    number: float,
    decimals: int,
    mag: str | None,
    unit: str | None,
    drop_unit: bool = False,
) -> Written:
    num = fmt(number, decimals)
    unit_text = "" if drop_unit else (unit or "")
    text = f"{op_glyph or ''}{num}{mag or ''}{unit_text}"
    op = _OP_OF.get(op_glyph or "") if op_glyph else None
    if op_glyph in ("≧", "≦"):
        op = ">=" if op_glyph == "≧" else "<="
    return Written(text, op, _round6(float(num) * _MAG[mag]), None if drop_unit else unit)


# -- units over the years ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    miss_base: float
    trend: float  # change of the miss probability per year: > 0 drifts down, < 0 improves
    exec_base: float
    growth: float
    variant_bias: float
    glyph_variant: bool  # writes ≧/≦


@lru_cache(maxsize=65536)
def profile(seed: int, unit_index: int) -> Profile:
    rng = random.Random(f"{seed}|unit|{unit_index}")
    trend = rng.choice((-0.03, -0.02, -0.01, 0.0, 0.0, 0.0, 0.01, 0.02, 0.035, 0.05))
    # About one unit in eight struggles: many missed targets, so leadership sees 良 and 中 forms, not only 优.
    struggling = rng.random() < 0.125
    return Profile(
        miss_base=rng.uniform(0.3, 0.5) if struggling else rng.uniform(0.02, 0.09),
        trend=trend,
        exec_base=rng.uniform(0.9, 0.995),
        growth=rng.uniform(1.0, 1.08),
        variant_bias=rng.random(),
        glyph_variant=rng.random() < 0.3,
    )


def copied_notes(seed: int, year: int, shorts: tuple[str, ...], pairs_per_unit: float) -> dict:
    """unit index -> (role, note, other unit) for the units whose department forms share one note this year."""
    n_units = len(shorts)
    if n_units < 2 or pairs_per_unit <= 0:
        return {}
    rng = random.Random(f"{seed}|copy|{year}")
    n_pairs = max(1, round(n_units * pairs_per_unit))
    order = list(range(n_units))
    rng.shuffle(order)
    out = {}
    for k in range(min(n_pairs, n_units // 2)):
        a, b = order[2 * k], order[2 * k + 1]
        cause = rng.choice(V.DEVIATION_CAUSES)
        measure = rng.choice(V.MEASURES)
        note = (
            f"原因：{year}年{shorts[a]}{cause}，部分履职目标未能全部完成。改进措施：{measure}，"
            f"确保下一年度目标任务全面完成。"
        )
        out[a] = ("source", note, shorts[b])
        out[b] = ("copy", note, shorts[a])
    return out


# -- the generator -------------------------------------------------------------------------------------------
class _DocGen:
    def __init__(self, plan: Plan, unit_index: int, year: int):
        self.plan = plan
        self.unit = plan.units[unit_index]
        self.index = unit_index
        self.year = year
        self.rng = random.Random(f"{plan.seed}|doc|{unit_index}|{year}")
        self.prof = profile(plan.seed, unit_index)
        self.domain = V.DOMAINS[self.unit.domain]
        years_in = year - BASE_YEAR  # the same unit and year give the same form whatever the range asked for
        self.miss_p = min(0.6, max(0.0, self.prof.miss_base + self.prof.trend * years_in))
        self.scale = self.unit.size * self.prof.growth**years_in
        self.rates = plan.rates
        self.glyphs = self.rng.random() < (0.6 if self.prof.glyph_variant else 0.2)  # writes ≧/≦ this year

    # -- helpers ---------------------------------------------------------------------------------------------
    def written_name(self, name: str) -> str:
        variants = self.plan.variants_of(name)
        if variants and self.rng.random() < self.rates.unit_variant * (0.5 + self.prof.variant_bias):
            return self.rng.choice(variants)
        return name

    def glyph(self, op: str | None) -> str | None:
        if op in _GLYPH_VARIANT and self.glyphs and self.rng.random() < 0.8:
            return _GLYPH_VARIANT[op]
        return op

    def split_weights(self, total: int, n: int) -> list[float]:
        """n integer weights adding up to total, roughly even, never below 1."""
        base, extra = divmod(total, n)
        weights = [base + (1 if k < extra else 0) for k in range(n)]
        self.rng.shuffle(weights)
        for _ in range(n // 2):
            i, j = self.rng.randrange(n), self.rng.randrange(n)
            if i != j and weights[i] > 2:
                weights[i] -= 1
                weights[j] += 1
        return [float(w) for w in weights]

    def note_for_miss(self, name: str, target: str, actual: str) -> str:
        causes = V.DEVIATION_CAUSES + (V.COVID_CAUSES if 2020 <= self.year <= 2022 else ())
        cause = self.rng.choice(causes)
        measure = self.rng.choice(V.MEASURES)
        return (
            f"原因：{name}年度指标值为{target}，实际完成{actual}，主要是{self.unit.short}{cause}。"
            f"改进措施：{measure}。"
        )

    def no_deviation_note(self) -> str | None:
        return None if self.rng.random() < 0.05 else self.rng.choice(V.NO_DEVIATION_NOTES)

    # -- one indicator ----------------------------------------------------------------------------------------
    def indicator(
        self,
        level1: str,
        level2: str,
        name: str,
        template: str,
        weight: float,
        *,
        miss: bool | None = None,
        actual_pct: float | None = None,
    ) -> IndicatorRec:
        t = parse_template(template)
        rng = self.rng
        if miss is None:
            p = self.miss_p + (0.2 if ("接听率" in name or "接通率" in name) else 0.0)
            miss = rng.random() < p and (t.number is not None or (t.qual in V.QUALITATIVE_MISS and not t.op))
        style: dict = {}
        if t.number is None:  # qualitative
            target_text = f"{t.op or ''}{t.qual}"
            target = Written(target_text, _OP_OF.get(t.op or "") if t.op else None, None, None)
            if miss:
                actual = Written(V.QUALITATIVE_MISS.get(t.qual or "", "有待提升"), None, None, None)
            elif actual_pct is not None:
                actual = write_number(None, actual_pct, 2, None, "%")
            elif t.qual in V.QUALITATIVE_MET_AS_RATE and rng.random() < 0.3:
                actual = Written("100%", None, 100.0, "%")
            else:
                actual = Written(target_text, target.op, None, None)
            met: bool | None = not miss
            ratio = None
        else:
            target, actual, met, ratio = self._numbers(t, miss, actual_pct)
        if met is False:
            score = self._deducted(weight, ratio)
            note: str | None = self.note_for_miss(name, target.text, actual.text)
        else:
            score, note = weight, self.no_deviation_note()
        ind = IndicatorRec(
            0,
            level1,
            level2,
            name,
            target.text,
            target.op,
            target.value,
            target.unit,
            actual.text,
            actual.value,
            actual.unit,
            weight,
            score,
            note,
            style,
        )
        ind.style["met"] = met
        return ind

    def _numbers(
        self, t: Target, miss: bool, actual_pct: float | None
    ) -> tuple[Written, Written, bool, float]:
        rng = self.rng
        number, decimals = t.number, t.decimals
        assert number is not None
        op = t.op
        if not t.is_pct and not (op is None and t.unit in ("天", "个月")):
            number = number * rng.uniform(0.85, 1.2)
            if decimals == 0 and t.mag is None:
                number = _nice_int(number)
            elif decimals == 0:
                decimals = 1
        target = write_number(self.glyph(op), number, decimals, t.mag, t.unit)
        tv = target.value
        assert tv is not None
        # The actual, in the target's own magnitude and precision.
        if actual_pct is not None:
            a_num, a_dec = actual_pct, 2
        elif t.is_pct:
            a_dec = 1 if rng.random() < 0.6 else (0 if rng.random() < 0.5 else 2)
            if op in ("≤", "<"):
                low = 0.0 if number <= 5 else 0.85
                a_num = number * rng.uniform(1.02, 1.4) + 0.3 if miss else number * rng.uniform(low, 1.0)
            else:
                # Rates near 100 top out at 100; small ones (增速 ≥8%, 覆盖率 ≥12%) overshoot modestly.
                top = 100.0 if (t.unit == "%" and number >= 50) else number * 1.3
                a_num = (
                    number - rng.uniform(0.6, 12)
                    if miss
                    else (number if number >= top else rng.uniform(number, top))
                )
                a_num = max(a_num, 0.0)
        else:
            a_dec = decimals if t.mag else (decimals if decimals else 0)
            if op in ("≤", "<"):
                a_num = number * (rng.uniform(1.05, 1.4) if miss else rng.uniform(0.6, 1.0))
            elif op is None and not miss:
                a_num = number
            else:
                a_num = number * (rng.uniform(0.7, 0.97) if miss else rng.uniform(1.0, 1.3))
        a_num = float(fmt(a_num, a_dec))
        a_num = _fix_side(a_num, number, op, miss, a_dec)
        copy_target = (
            not miss and actual_pct is None and op in ("≥", "≤") and t.is_pct and rng.random() < 0.12
        )
        if copy_target:
            actual = Written(target.text, target.op, target.value, target.unit)
        else:
            switch_mag = not t.mag and t.unit and not t.is_pct and number * 1.3 >= 1e4 and rng.random() < 0.3
            if switch_mag:
                actual = write_number(None, a_num / 1e4, 2, "万", t.unit)
            else:
                drop = bool(t.mag) and rng.random() < 0.1
                actual = write_number(None, a_num, a_dec, t.mag, t.unit, drop_unit=drop)
        av = actual.value
        assert av is not None
        met = _is_met(tv, av, target.op)
        if met == miss:  # rounding made the outcome flip: write the target's own figure as the actual
            actual = Written(target.text.lstrip("≥≤≧≦<>="), None, tv, t.unit)
            av, met = tv, True
        ratio = (tv / av if av else 0.0) if target.op in ("<=", "<") else (av / tv if tv else 1.0)
        return target, actual, met, max(0.0, min(ratio, 1.0))

    def _deducted(self, weight: float, ratio: float | None) -> float:
        if ratio is None:
            cut = self.rng.choice((0.5, 1.0, 1.0, 2.0))
            score = weight - cut
        else:
            score = math.floor(weight * ratio * 2) / 2
        score = min(score, weight - 0.5)
        return max(score, 0.0)

    # -- budgets ----------------------------------------------------------------------------------------------
    def rate(self) -> float:
        if self.rng.random() < 0.4:
            return 1.0
        return min(1.0, max(0.6, self.rng.gauss(self.prof.exec_base, 0.03)))

    def stated_rate(self, executed_cents: int, full_cents: int) -> float | None:
        if not full_cents:
            return None
        pct = executed_cents / full_cents * 100
        if abs(pct - 100) < 1e-9:
            return 100.0
        return float(fmt(pct, 2 if self.rng.random() < 0.7 else 0))

    def line(
        self,
        name: str,
        initial: int | None,
        full: int | None,
        executed: int | None,
        weight: float | None = None,
        score: float | None = None,
    ) -> BudgetLineRec:
        rate = self.stated_rate(executed, full) if executed is not None and full else None
        return BudgetLineRec(
            name,
            None if initial is None else money(initial),
            None if full is None else money(full),
            None if executed is None else money(executed),
            rate,
            weight,
            score,
        )

    # -- forms -----------------------------------------------------------------------------------------------
    def project_specs(self) -> list[V.ProjectSpec]:
        rng = self.rng
        candidates = [p for p in self.domain.projects if p.years[0] <= self.year <= p.years[1]]
        chosen = [p for p in candidates if rng.random() < (0.85 if p.recurring else 0.3)]
        generic = [p for p in V.GENERIC_PROJECTS if rng.random() < 0.12]
        chosen = chosen + generic
        if not chosen:
            chosen = [rng.choice(candidates or list(V.GENERIC_PROJECTS))]
        return chosen[:6]

    def project_form(self, spec: V.ProjectSpec) -> FormRec:
        rng = self.rng
        lo, hi = spec.budget
        full = int(round(rng.uniform(lo, hi) * min(self.scale, 2.5) ** 0.5 * 100))
        carry = int(full * rng.uniform(0.05, 0.3)) if rng.random() < 0.2 else 0
        other = int(full * rng.uniform(0.02, 0.1)) if rng.random() < 0.05 else 0
        current = full - carry - other
        roll = rng.random()
        current_initial = (
            0 if roll < 0.08 else current if roll < 0.5 else int(current * rng.uniform(0.6, 1.0))
        )
        r = self.rate()
        cur_exec = int(round(current * r))
        carry_exec = int(round(carry * r))
        other_exec = int(round(other * r))
        executed = cur_exec + carry_exec + other_exec
        exec_score = round(10 * executed / full, 2) if full else 10.0
        initial = current_initial + carry + other  # carry-over is known at the start of the year
        lines = [
            self.line("年度资金总额", initial, full, executed, 10.0, exec_score),
            self.line("当年财政拨款", current_initial, current, cur_exec),
            self.line("上年结转资金", carry or None, carry or None, carry_exec if carry else None),
            self.line("其他资金", other or None, other or None, other_exec if other else None),
        ]
        inds = self.project_indicators(spec)
        unit_written = self.written_name(self.unit.name)
        supervisor = self.written_name(self.unit.supervisor or self.unit.name)
        goals = self.goals_for(spec.name)
        form = FormRec(
            "project",
            self.year,
            self.unit.name,
            unit_written,
            supervisor,
            spec.name,
            lines,
            inds,
            0.0,
            100.0,
            goals,
        )
        form.stated_total = form.computed_total
        return form

    def project_indicators(self, spec: V.ProjectSpec) -> list[IndicatorRec]:
        rng = self.rng
        by_code: dict[str, list[str]] = {}
        for tpl in spec.indicators:
            code, name, target = tpl.split("|")
            by_code.setdefault(code, []).append(f"{name}|{target}")

        def fill(code: str, lo: int, hi: int) -> list[str]:
            have = list(by_code.get(code, []))
            pool = [g.split("|", 1)[1] for g in V.GENERIC_PROJECT.get(code, [])]
            pool = [g for g in pool if g.split("|")[0] not in {h.split("|")[0] for h in have}]
            rng.shuffle(pool)
            want = rng.randint(lo, hi)
            while len(have) < want and pool:
                have.append(pool.pop())
            return have

        blocks: list[tuple[str, list[str]]] = []
        blocks.append(("数", fill("数", 3, 6)))
        blocks.append(("质", fill("质", 3, 5)))
        blocks.append(("时", fill("时", 1, 3)))
        blocks.append(("本", fill("本", 1, 1)))
        benefit = [(c, by_code.get(c, [])) for c in ("经", "社", "生", "可")]
        if sum(len(x) for _, x in benefit) < 3:
            benefit = [(c, fill(c, 1, 2) if c in ("社", "可") else x) for c, x in benefit]
        blocks.extend(benefit)
        blocks.append(("满", fill("满", 2, 3)))
        names: set[str] = set()
        rows: list[tuple[str, str, str, str]] = []
        for code, items in blocks:
            level1, level2 = V.PROJECT_LEVELS[code]
            for item in items:
                name, target = item.split("|")
                if name in names:
                    continue
                names.add(name)
                rows.append((level1, level2, name, target))
        out: list[IndicatorRec] = []
        for level1, total in V.PROJECT_LEVEL1_WEIGHTS.items():
            members = [r for r in rows if r[0] == level1]
            weights = self.split_weights(total, len(members))
            for (l1, l2, name, target), w in zip(members, weights):
                out.append(self.indicator(l1, l2, name, target, w))
        return _renumber(out)

    def department_form(self, projects: list[FormRec]) -> FormRec:
        rng = self.rng
        basic_initial = int(rng.uniform(80, 400) * self.scale * 100)
        basic_full = int(basic_initial * rng.uniform(1.0, 1.25))
        basic_exec = int(round(basic_full * min(1.0, max(0.85, rng.gauss(0.985, 0.015)))))
        if rng.random() < 0.35:
            basic_exec = basic_full
        p_initial = sum(int(round((p.total_line.initial or 0) * 100)) for p in projects)
        p_full = sum(int(round((p.total_line.full_year or 0) * 100)) for p in projects)
        p_exec = sum(int(round((p.total_line.executed or 0) * 100)) for p in projects)
        total_full = basic_full + p_full
        total_exec = basic_exec + p_exec
        exec_score = round(10 * total_exec / total_full, 2)
        lines = [
            self.line("全年支出", basic_initial + p_initial, total_full, total_exec, 10.0, exec_score),
            self.line("基本支出", basic_initial, basic_full, basic_exec),
            self.line("项目支出", p_initial, p_full, p_exec),
        ]
        basic_rate = basic_exec / basic_full * 100 if basic_full else 100.0
        project_rate = p_exec / p_full * 100 if p_full else 100.0
        inds: list[IndicatorRec] = []
        # 部门管理 20
        mgmt = [m for m in V.DEPT_MANAGEMENT[2:] if rng.random() < 0.7]
        mgmt = V.DEPT_MANAGEMENT[:2] + mgmt[:8]
        weights = self.split_weights(V.DEPARTMENT_LEVEL1_WEIGHTS["部门管理"], len(mgmt))
        for (level2, name, target), w in zip(mgmt, weights):
            pct = (
                basic_rate
                if name == "基本支出预算执行率"
                else project_rate
                if name == "项目支出预算执行率"
                else None
            )
            if pct is not None:
                t = parse_template(target)
                assert t.number is not None
                met = pct >= t.number - 1e-9
                inds.append(
                    self.indicator(
                        "部门管理", level2, name, target, w, miss=not met, actual_pct=round(pct, 2)
                    )
                )
            else:
                inds.append(self.indicator("部门管理", level2, name, target, w))
        # 履职效果 50
        duties = list(self.domain.duties)
        rng.shuffle(duties)
        duties = duties[: rng.randint(3, max(3, len(duties)))]
        impact = [d for d in V.DEPT_IMPACT if rng.random() < 0.6] or [V.DEPT_IMPACT[0]]
        rows = [("部门履职目标", *d.split("|")[1:]) for d in duties] + list(impact)
        weights = self.split_weights(V.DEPARTMENT_LEVEL1_WEIGHTS["履职效果"], len(rows))
        for (level2, name, target), w in zip(rows, weights):
            inds.append(self.indicator("履职效果", level2, name, target, w))
        # 能力建设 10
        cap = [c for c in V.DEPT_CAPACITY if rng.random() < 0.7]
        cap = cap[:5] if len(cap) > 1 else list(V.DEPT_CAPACITY[:3])
        weights = self.split_weights(V.DEPARTMENT_LEVEL1_WEIGHTS["能力建设"], len(cap))
        for (level2, name, target), w in zip(cap, weights):
            inds.append(self.indicator("能力建设", level2, name, target, w))
        # 服务对象满意度 10
        sat = rng.sample(V.DEPT_SATISFACTION, 2)
        sat.sort(key=V.DEPT_SATISFACTION.index)
        for level2, name, target in sat:
            inds.append(self.indicator("服务对象满意度", level2, name, target, 5.0))
        inds = _renumber(inds)
        unit_written = self.written_name(self.unit.name)
        goals = self.goals_for(None)
        form = FormRec(
            "department", self.year, self.unit.name, unit_written, None, None, lines, inds, 0.0, 100.0, goals
        )
        form.stated_total = form.computed_total
        return form

    def goals_for(self, project: str | None) -> list[tuple[str, str]]:
        subject = project or f"{self.unit.short}年度重点工作"
        n = self.rng.randint(2, 4)
        goals = []
        for k in range(1, n + 1):
            g = self.rng.choice(V.GOAL_TEMPLATES).format(p=subject)
            o = self.rng.choice(V.OUTCOME_TEMPLATES).format(p=subject, k=k)
            goals.append((g, o))
        return goals

    # -- defects -----------------------------------------------------------------------------------------------
    def plant(self, form: FormRec, copy_role: tuple | None) -> None:
        rng, rates = self.rng, self.rates
        taken: set[int] = set()
        if copy_role is not None and form.kind == "department":
            role, note, other = copy_role
            duties = [i for i in form.indicators if i.level1 == "履职效果"]
            ind = rng.choice(duties)
            if ind.score is not None and ind.score >= ind.weight:
                ind.score = max(0.0, ind.weight - rng.choice((0.5, 1.0)))
                _make_missed(ind)
            ind.note = note
            taken.add(ind.seq)
            form.stated_total = form.computed_total
            form.defects.append(
                DefectRec(
                    "copied_note",
                    "copied_note",
                    ind.seq,
                    detail=f"与{other}的偏差说明相同" if role == "copy" else f"{other}照抄了本条说明",
                )
            )
        # One indicator-level defect per form at most.
        roll = rng.random()
        acc = 0.0
        chosen = None
        for rule in (
            "total_mismatch",
            "weights_not_100",
            "score_out_of_range",
            "duplicate_indicator",
            "full_score_target_missed",
            "unexplained_deduction",
        ):
            acc += getattr(rates, rule)
            if roll < acc:
                chosen = rule
                break
        if chosen is not None:
            getattr(self, f"_plant_{chosen}")(form, taken)
        # Budget defects.
        missing_p = (
            rates.missing_budget_cell_department
            if form.kind == "department"
            else rates.missing_budget_cell_project
        )
        if rng.random() < missing_p:
            self._plant_missing_budget_cell(form)
        elif rng.random() < rates.execution_rate_mismatch:
            self._plant_execution_rate_mismatch(form)

    def _full_score(self, form: FormRec, taken: set[int], numeric: bool = False) -> list[IndicatorRec]:
        out = []
        for i in form.indicators:
            if i.seq in taken or i.score is None or i.score < i.weight:
                continue
            if numeric and not (
                i.target_value is not None
                and i.target_op in (">=", None)
                and i.target_unit == i.actual_unit
                and i.actual_value is not None
                and not i.style.get("glued")
            ):
                continue
            out.append(i)
        return out

    def _plant_total_mismatch(self, form: FormRec, taken: set[int]) -> None:
        computed = form.computed_total
        if self.rng.random() < 0.4 and form.execution_score:
            stated = computed - form.execution_score  # the budget execution score left out
            how = "漏计预算执行得分"
        else:
            stated = computed + self.rng.choice((-5, -3, -2, -1, -0.5, 1, 2))
            how = "合计行填报有误"
        form.stated_total = round(min(stated, 100.0), 2)
        if abs(form.stated_total - computed) < 0.01:
            form.stated_total = round(computed - 1, 2)
        form.defects.append(DefectRec("total_mismatch", "total_mismatch", detail=how))

    def _plant_weights_not_100(self, form: FormRec, taken: set[int]) -> None:
        cands = self._full_score(form, taken)
        if not cands:
            return
        ind = self.rng.choice(cands)
        d = self.rng.choice((1.0, 2.0, 3.0, 5.0, -1.0, -2.0))
        if ind.weight + d < 1:
            d = abs(d)
        ind.weight += d
        ind.score = ind.weight
        taken.add(ind.seq)
        form.stated_total = form.computed_total
        form.defects.append(
            DefectRec(
                "weights_not_100",
                "weights_not_100",
                detail=f"第{ind.seq}个指标分值改动，分值合计 {fmt(form.weight_total)}",
            )
        )

    def _plant_score_out_of_range(self, form: FormRec, taken: set[int]) -> None:
        cands = self._full_score(form, taken)
        if not cands:
            return
        ind = self.rng.choice(cands)
        ind.score = ind.weight + self.rng.choice((0.5, 1.0, 1.0, 2.0))
        taken.add(ind.seq)
        form.stated_total = form.computed_total
        form.defects.append(
            DefectRec(
                "score_out_of_range",
                "score_out_of_range",
                ind.seq,
                detail=f"得分 {fmt(ind.score)} > 分值 {fmt(ind.weight)}",
            )
        )

    def _plant_duplicate_indicator(self, form: FormRec, taken: set[int]) -> None:
        cands = [i for i in form.indicators if i.seq not in taken and (i.score or 0) > 0]
        if not cands:
            return
        ind = self.rng.choice(cands)
        unnamed = self.rng.random() < 0.5
        twin = IndicatorRec(
            0,
            ind.level1,
            ind.level2,
            None if unnamed else ind.level3,
            ind.target_text,
            ind.target_op,
            ind.target_value,
            ind.target_unit,
            ind.actual_text,
            ind.actual_value,
            ind.actual_unit,
            ind.weight,
            ind.score,
            ind.note,
            dict(ind.style),
        )
        twin.style["duplicate"] = True
        ind.style["no_glue"] = True
        k = form.indicators.index(ind)
        stated_before = form.computed_total
        form.indicators.insert(k + 1, twin)
        _renumber(form.indicators)
        for d in form.defects:  # defects planted earlier keep pointing at their indicator
            if d.indicator_seq is not None and d.indicator_seq >= twin.seq:
                d.indicator_seq += 1
        form.stated_total = stated_before  # the form's own totals do not count the duplicated row
        form.defects.append(
            DefectRec("duplicate_indicator", "duplicate_indicator", twin.seq, detail=f"重复第{ind.seq}个指标")
        )
        if unnamed:
            form.defects.append(DefectRec("unnamed_indicator", "duplicate_indicator", twin.seq))
        form.defects.append(DefectRec("weights_not_100", "duplicate_indicator"))
        form.defects.append(DefectRec("total_mismatch", "duplicate_indicator"))

    def _plant_full_score_target_missed(self, form: FormRec, taken: set[int]) -> None:
        cands = [i for i in self._full_score(form, taken, numeric=True) if (i.target_value or 0) > 0]
        if not cands:
            return
        ind = self.rng.choice(cands)
        tv = ind.target_value
        assert tv is not None
        unit = ind.target_unit
        if unit == "%":
            a = float(fmt(max(0.0, tv - self.rng.uniform(1, 8)), 1))
            text = f"{fmt(a, 1)}%"
            value = a
        else:
            a = _nice_int(tv * self.rng.uniform(0.6, 0.95)) if tv >= 10 else float(fmt(tv * 0.8, 2))
            if a >= tv:
                a = tv - 1 if tv >= 2 else round(tv / 2, 2)
            text = f"{fmt(a, 2)}{unit or ''}"
            value = _round6(a)
        ind.actual_text, ind.actual_value, ind.actual_unit = text, value, unit
        ind.note = "无偏差"
        ind.style["met"] = False
        taken.add(ind.seq)
        form.defects.append(
            DefectRec(
                "full_score_target_missed",
                "full_score_target_missed",
                ind.seq,
                detail=f"指标值 {ind.target_text}，实际 {text}",
            )
        )

    def _plant_unexplained_deduction(self, form: FormRec, taken: set[int]) -> None:
        cands = [i for i in form.indicators if i.seq not in taken and i.score is not None and i.weight >= 1]
        missed = [i for i in cands if i.style.get("met") is False and (i.score or 0) < i.weight]
        ind = self.rng.choice(missed or cands)
        if ind.score is not None and ind.score >= ind.weight:
            ind.score = ind.weight - (0.5 if ind.weight < 2 else 1.0)
            _make_missed(ind)
        ind.note = None if self.rng.random() < 0.5 else "无偏差"
        taken.add(ind.seq)
        form.stated_total = form.computed_total
        form.defects.append(DefectRec("unexplained_deduction", "unexplained_deduction", ind.seq))

    def _plant_missing_budget_cell(self, form: FormRec) -> None:
        lines = (
            form.budget_lines
            if (form.kind == "department" and self.rng.random() < 0.6)
            else [form.total_line]
        )
        for b in lines:
            if b.executed is None:
                continue
            b.executed = None
            b.style["lost_executed"] = True
            form.defects.append(DefectRec("missing_budget_cell", "missing_budget_cell", budget_line=b.line))

    def _plant_execution_rate_mismatch(self, form: FormRec) -> None:
        b = form.total_line
        if b.executed is None or not b.full_year:
            return
        real = b.executed / b.full_year * 100
        if real <= 99.0:
            b.execution_rate_stated_pct = 100.0
        else:
            b.execution_rate_stated_pct = float(fmt(real - self.rng.uniform(3, 12), 2))
        form.defects.append(
            DefectRec(
                "execution_rate_mismatch",
                "execution_rate_mismatch",
                budget_line=b.line,
                detail=f"实际执行率 {real:.2f}%",
            )
        )

    def _plant_project_budget_mismatch(self, form: FormRec) -> None:
        total, _basic, projects = form.budget_lines
        delta_cents = self.rng.choice((-1, 1)) * int(self.rng.uniform(5, 80) * 100)
        if projects.full_year is None or projects.full_year * 100 + delta_cents <= 0:
            delta_cents = abs(delta_cents)
        old = int(round((projects.full_year or 0) * 100))
        projects.full_year = money(old + delta_cents)
        total.full_year = money(int(round((total.full_year or 0) * 100)) + delta_cents)
        for b in (projects, total):
            if b.executed is not None and b.full_year:
                b.execution_rate_stated_pct = self.stated_rate(
                    int(round(b.executed * 100)), int(round(b.full_year * 100))
                )
        form.defects.append(
            DefectRec(
                "project_budget_mismatch",
                "project_budget_mismatch",
                budget_line="项目支出",
                detail=f"相差 {fmt(delta_cents / 100)} 万元",
            )
        )

    # -- the document ----------------------------------------------------------------------------------------
    def document(self) -> DocumentRec:
        projects = [self.project_form(spec) for spec in self.project_specs()]
        dept = self.department_form(projects)
        if self.rng.random() < self.rates.project_budget_mismatch:
            self._plant_project_budget_mismatch(dept)
            # The department's execution score follows its (now different) full-year budget.
            t = dept.total_line
            if t.executed is not None and t.full_year:
                t.score = round(min(10.0, 10 * t.executed / t.full_year), 2)
            dept.stated_total = dept.computed_total
        roles = self.plan.copy_roles(self.year)
        forms = [dept, *projects]
        for f in forms:
            self.plant(f, roles.get(self.index) if f is dept else None)
            self._glue_labels(f)
        stem = f"{SYNTHETIC_MARK}_{self.year}_{self.index + 1:04d}_{self.unit.name}"
        return DocumentRec(
            self.unit.name,
            self.index,
            self.year,
            stem,
            forms,
            key=f"{self.plan.seed}|{self.index}|{self.year}",
        )

    def _glue_labels(self, form: FormRec) -> None:
        """Now and then a value cell carries an indicator's name glued to it, as in the sample."""
        names = [i.level3 for i in form.indicators if i.level3]
        for ind in form.indicators:
            t = ind.target_text or ""
            if (
                ind.style.get("duplicate")
                or ind.style.get("no_glue")
                or ind.target_value is None
                or not (ind.target_op or ind.target_unit)
                or t[:1].isalpha()
                and not t[:1].isascii()
            ):
                continue
            if self.rng.random() < self.rates.glued_label:
                label = ind.level3 if (self.rng.random() < 0.4 or len(names) < 2) else self.rng.choice(names)
                ind.target_text = f"{label}{t}"
                ind.style["glued"] = True


def _is_met(target: float, actual: float, op: str | None) -> bool:
    op = op or ">="
    if op == ">=":
        return actual >= target - 1e-9
    if op == ">":
        return actual > target
    if op == "<=":
        return actual <= target + 1e-9
    if op == "<":
        return actual < target
    return abs(actual - target) < 1e-9


def _fix_side(a: float, target: float, op: str | None, miss: bool, decimals: int) -> float:
    step = 10**-decimals
    low_side = op in ("≤", "<")
    if miss and not low_side and a >= target:
        a = target - step
    elif miss and low_side and a <= target:
        a = target + step
    return float(fmt(max(a, 0.0), decimals))


def _nice_int(x: float) -> float:
    if x < 20:
        return float(max(1, round(x)))
    digits = len(str(int(x)))
    step = 10 ** max(0, digits - 2)
    return float(max(step, round(x / step) * step))


def _renumber(inds: list[IndicatorRec]) -> list[IndicatorRec]:
    for k, i in enumerate(inds, start=1):
        i.seq = k
    return inds


def _make_missed(ind: IndicatorRec) -> None:
    """Make a deducted indicator's actual fall short of its target, so the deduction has a reason."""
    ind.style["met"] = False
    if ind.target_value is not None and ind.target_unit == "%" and ind.target_op in (">=", None):
        a = max(0.0, ind.target_value - 3.0)
        ind.actual_text, ind.actual_value, ind.actual_unit = f"{fmt(a, 1)}%", a, "%"
    elif ind.target_value is None and ind.target_op is None and ind.target_text in V.QUALITATIVE_MISS:
        ind.actual_text, ind.actual_value, ind.actual_unit = V.QUALITATIVE_MISS[ind.target_text], None, None


def generate_document(plan: Plan, unit_index: int, year: int) -> DocumentRec:
    return _DocGen(plan, unit_index, year).document()


def generate(plan: Plan):
    """All documents of a plan, year by year, unit by unit."""
    for year in plan.years:
        for k in range(len(plan.units)):
            yield generate_document(plan, k, year)
