-- Jixiao read side: the views and macros every query in queries/ builds on. Readers create them in their own
-- in-memory catalog each time they open a database (dashboard/db.py), so they are never stored in the file and
-- changing them never forces a re-ingest. The tables are in tables.sql.
--
-- The selection macros hold the filtering every query shares, as datasette's facets wrap one base query:
--   selected_forms(dataset, year, units, kind)               one row per form in the selection (form_facts)
--   selected_indicators(dataset, year, units, kind, level1)  one row per indicator in it (indicator_facts)
--   chosen_year(dataset, year, units, kind)                  the year asked for, else the latest year with
--                                                            forms in the selection (the one definition)
-- NULL means "all" for every argument; units is a VARCHAR[] of unit names.

-- Points lost below this are rounding noise (weights and scores are written with up to 4 decimals); the same
-- threshold is dashboard/labels.py POINTS_EPSILON (a test pins that they agree).
create or replace macro points_epsilon() as 0.00005;

-- Whether an item lost points (weight − score above the noise threshold); false when either is missing.
create or replace macro is_lost(points_lost) as coalesce(points_lost > points_epsilon(), false);

-- The Ministry of Finance grade scale, applied to the unrounded total with half-open bands as 财预〔2020〕10号
-- words it: 90 (inclusive) to 100 优, 80 (inclusive) to 90 良, 60 (inclusive) to 80 中, below 60 差. So 89.5 is 良,
-- and a total above 100 (weights adding up to more than 100) is still 优. A total is in a grade when
-- (min_total is null or total >= min_total) and (max_total is null or total < max_total).
create or replace view grade_scale as
select grade, grade_rank, min_total, max_total
from (values
    ('优', 1, 90.0, null),
    ('良', 2, 80.0, 90.0),
    ('中', 3, 60.0, 80.0),
    ('差', 4, null, 60.0)
) as t (grade, grade_rank, min_total, max_total);

-- One row per form (report) with what every query needs to show it: its label, dataset, source file and the
-- NULL-safe "used" figures: the computed value where it exists, else the stated one, with a *_basis column
-- ('computed' | 'stated') saying which; grades of the stated, computed and used totals from grade_scale.
create or replace view form_facts as
with forms as (
    select
        r.*,
        coalesce(r.computed_total, r.stated_total) as total_used,
        coalesce(r.execution_rate_pct, r.execution_rate_stated_pct) as execution_rate_used_pct
    from reports r
)

select
    f.report_id,
    f.source_id,
    s.path,
    f.source_line,
    f.source_ref,
    case when coalesce(f.is_synthetic, false) then 'demo' else 'real' end as dataset,
    coalesce(f.is_synthetic, false) as is_synthetic,
    f.kind,
    case f.kind when 'department' then '部门整体' when 'project' then '项目' else f.kind end as kind_label,
    f.year,
    f.unit_id,
    coalesce(f.unit, f.unit_raw) as unit,
    f.supervisor,
    f.project,
    f.project_code,
    case when f.kind = 'department' then '部门整体支出' else coalesce(f.project, '（未命名项目）') end as form,
    f.budget_initial as budget_initial_wan,
    f.budget_full_year as budget_full_year_wan,
    f.budget_executed as budget_executed_wan,
    f.execution_rate_stated_pct,
    f.execution_rate_pct as execution_rate_computed_pct,
    f.execution_rate_used_pct,
    case
        when f.execution_rate_pct is not null then 'computed'
        when f.execution_rate_stated_pct is not null then 'stated'
    end as execution_rate_basis,
    f.execution_weight,
    f.execution_score,
    f.stated_total,
    f.computed_total,
    f.total_used,
    case
        when f.computed_total is not null then 'computed'
        when f.stated_total is not null then 'stated'
    end as total_basis,
    f.stated_total - f.computed_total as total_gap,
    f.weight_total,
    f.stated_weight_total,
    gs.grade as stated_grade,
    gc.grade as computed_grade,
    gu.grade as grade
from forms f
left join sources s on s.source_id = f.source_id
left join grade_scale gs
    on (gs.min_total is null or f.stated_total >= gs.min_total)
   and (gs.max_total is null or f.stated_total < gs.max_total)
left join grade_scale gc
    on (gc.min_total is null or f.computed_total >= gc.min_total)
   and (gc.max_total is null or f.computed_total < gc.max_total)
left join grade_scale gu
    on (gu.min_total is null or f.total_used >= gu.min_total)
   and (gu.max_total is null or f.total_used < gu.max_total);

-- One row per indicator with its form's context. points_lost = weight − score (negative when a score exceeds its
-- weight; NULL when either is missing); status drives the colours every page shares:
-- lost_points (points_lost > 0) | target_missed (full score but the numeric actual misses the target) |
-- no_score (weight or score missing) | ok.
create or replace view indicator_facts as
select
    i.indicator_id,
    i.report_id,
    f.dataset,
    f.is_synthetic,
    f.kind,
    f.kind_label,
    f.year,
    f.unit_id,
    f.unit,
    f.project,
    f.form,
    f.path,
    i.seq,
    i.level1,
    i.level2,
    i.level3,
    coalesce(i.level3, '（未命名指标）') as indicator,
    i.target_text,
    i.target_op,
    i.target_value,
    i.target_unit,
    i.actual_text,
    i.actual_value,
    i.actual_unit,
    i.weight,
    i.score,
    i.weight - i.score as points_lost,
    case when i.weight > 0 then i.score / i.weight * 100 end as score_pct,
    i.target_met as is_target_met,
    is_lost(i.weight - i.score) as is_lost_points,
    case
        when is_lost(i.weight - i.score) then 'lost_points'
        when i.target_met = false then 'target_missed'
        when i.weight is null or i.score is null then 'no_score'
        else 'ok'
    end as status,
    i.note,
    i.source_line,
    i.source_ref
from indicators i
join form_facts f on f.report_id = i.report_id;

-- Keyword synonyms for indicator search: a keyword that contains any term of a topic also matches every other
-- term of that topic (热线 finds 接通率, 接听率 and 12345). Add terms here, not in query text.
create or replace view keyword_synonyms as
select topic, term
from (values
    ('hotline', '热线'),
    ('hotline', '12345'),
    ('hotline', '接通率'),
    ('hotline', '接听率'),
    ('satisfaction', '满意度'),
    ('satisfaction', '满意率'),
    ('timeliness', '及时性'),
    ('timeliness', '及时率'),
    ('timeliness', '按时办结率'),
    ('execution', '执行率'),
    ('execution', '支出进度')
) as t (topic, term);

-- ---------------------------------------------------------------------------------------------------------
-- The selection: the filtering every query wraps.
-- ---------------------------------------------------------------------------------------------------------

create or replace macro selected_forms(p_dataset, p_year, p_units, p_kind) as table
select *
from form_facts
where (p_dataset is null or dataset = p_dataset)
  and (p_year is null or year = p_year)
  and (p_units is null or list_contains(cast(p_units as varchar[]), unit))
  and (p_kind is null or kind = p_kind);

create or replace macro selected_indicators(p_dataset, p_year, p_units, p_kind, p_level1) as table
select *
from indicator_facts
where (p_dataset is null or dataset = p_dataset)
  and (p_year is null or year = p_year)
  and (p_units is null or list_contains(cast(p_units as varchar[]), unit))
  and (p_kind is null or kind = p_kind)
  and (p_level1 is null or level1 = p_level1);

create or replace macro chosen_year(p_dataset, p_year, p_units, p_kind) as coalesce(
    p_year,
    (select max(year) from selected_forms(p_dataset, null, p_units, p_kind))
);

-- ---------------------------------------------------------------------------------------------------------
-- Shared building blocks (each used by several queries, so their rules are written once).
-- ---------------------------------------------------------------------------------------------------------

-- One row per form: the points it lost and the weight those points are out of, budget execution line included
-- (items with both a weight and a score count), how many items lost points, its findings, and whether its
-- weights are off 100 (then its total is not on the 100-point scale).
create or replace view form_points as
with indicator_points as (
    select
        report_id,
        sum(weight - score) as points_lost,
        sum(weight) filter (where weight is not null and score is not null) as weight_scored,
        count(*) filter (where is_lost(weight - score)) as n_lost_points
    from indicators
    group by report_id
),

finding_counts as (
    select
        report_id,
        count(*) as n_findings,
        count(*) filter (where severity = 'error') as n_error_findings
    from findings
    group by report_id
)

select
    f.report_id,
    coalesce(p.points_lost, 0) + coalesce(f.execution_weight - f.execution_score, 0) as points_lost,
    coalesce(p.weight_scored, 0)
        + case when f.execution_score is not null then coalesce(f.execution_weight, 0) else 0 end
        as weight_scored,
    coalesce(p.n_lost_points, 0) + case when is_lost(f.execution_weight - f.execution_score) then 1 else 0 end
        as n_lost_points,
    coalesce(c.n_findings, 0) as n_findings,
    coalesce(c.n_error_findings, 0) as n_error_findings,
    coalesce(abs(f.weight_total - 100) > 0.005, false) as is_weight_off
from reports f
left join indicator_points p on p.report_id = f.report_id
left join finding_counts c on c.report_id = f.report_id;

-- One row per unit × year with the unit's headline figures (department_ranking and year_over_year rank and
-- compare these, so both follow one rule):
--   unit_total = the department form's total (computed, else stated) when the unit has a department form that
--     year, else the mean of its project forms' totals; score_basis 'department' | 'projects_mean';
--     unit_stated_total = the same rule on stated totals only;
--   execution_rate_pct = the department form's rate (computed, else stated), else Σ executed / Σ full-year of
--     the project forms that state both, else the mean stated project rate;
--   points_lost_share_pct = Σ (weight − score) / Σ weight × 100 over all the unit's forms, budget execution
--     lines included, counting items that have both a weight and a score;
--   budget_full_year_wan = the department form's full-year budget, else Σ the projects'.
-- p_year NULL = every year, else that year and the one before (the previous year's figures).
create or replace macro unit_years(p_dataset, p_kind, p_year) as table
with forms as (
    select f.*, p.points_lost as form_points_lost, p.weight_scored as form_weight_scored,
           p.n_lost_points as form_n_lost_points, p.n_findings as form_findings,
           p.n_error_findings as form_error_findings, p.is_weight_off
    from selected_forms(p_dataset, null, null, p_kind) f
    join form_points p on p.report_id = f.report_id
    where f.unit_id is not null
      and f.year is not null
      and (p_year is null or f.year = p_year or f.year = p_year - 1)
),

per_unit_year as (
    select
        unit_id,
        max(unit) as unit,
        year,
        case when bool_and(is_synthetic) then 'demo' when not bool_or(is_synthetic) then 'real' else 'mixed' end
            as dataset,
        count(*) as n_forms,
        count(*) filter (where kind = 'project') as n_projects,
        max(report_id) filter (where kind = 'department') as dept_report_id,
        max(total_used) filter (where kind = 'department') as dept_total,
        max(stated_total) filter (where kind = 'department') as dept_stated_total,
        max(computed_total) filter (where kind = 'department') as dept_computed_total,
        max(execution_rate_used_pct) filter (where kind = 'department') as dept_execution_rate_pct,
        max(budget_full_year_wan) filter (where kind = 'department') as dept_full_year_wan,
        avg(total_used) filter (where kind = 'project') as projects_mean_total,
        avg(stated_total) filter (where kind = 'project') as projects_mean_stated_total,
        sum(budget_executed_wan) filter (
            where kind = 'project' and budget_full_year_wan is not null
        ) as projects_executed_wan,
        sum(budget_full_year_wan) filter (
            where kind = 'project' and budget_executed_wan is not null
        ) as projects_full_year_with_executed_wan,
        sum(budget_full_year_wan) filter (where kind = 'project') as projects_full_year_wan,
        avg(execution_rate_stated_pct) filter (where kind = 'project') as projects_stated_rate_pct,
        sum(form_points_lost) as points_lost,
        sum(form_weight_scored) as weight_scored,
        cast(sum(form_n_lost_points) as bigint) as n_lost_points,
        cast(count(*) filter (where is_weight_off) as bigint) as n_forms_weight_off,
        cast(sum(form_findings) as bigint) as n_findings,
        cast(sum(form_error_findings) as bigint) as n_error_findings
    from forms
    group by unit_id, year
)

select
    u.*,
    coalesce(u.dept_total, u.projects_mean_total) as unit_total,
    coalesce(u.dept_stated_total, u.projects_mean_stated_total) as unit_stated_total,
    case when u.dept_total is not null then 'department'
         when u.projects_mean_total is not null then 'projects_mean' end as score_basis,
    coalesce(
        u.dept_execution_rate_pct,
        case when u.projects_full_year_with_executed_wan > 0
            then u.projects_executed_wan / u.projects_full_year_with_executed_wan * 100 end,
        u.projects_stated_rate_pct
    ) as execution_rate_pct,
    round(coalesce(u.dept_full_year_wan, u.projects_full_year_wan), 4) as budget_full_year_wan,
    case when u.weight_scored > 0 then u.points_lost / u.weight_scored * 100 end as points_lost_share_pct
from per_unit_year u;

-- One row per year (the chosen year and the one before it, when it has forms) with the headline figures of the
-- forms in the selection (overview_kpis shows them, selection_summary gives them to the report):
--   mean_total = mean form total (computed, else stated); mean_execution_rate_pct = mean form execution rate
--   (computed, else stated); n_lost_points = indicators with weight − score above the noise threshold,
--   points_lost = Σ (weight − score); n_target_missed = numeric actual misses its target; grades on the total
--   used (grade_scale), n_grade_changed = forms whose stated and computed grades differ;
--   dept_budget_full_year_wan = Σ of the department forms' full-year budgets (project forms are parts of them),
--   n_dept_budgets = the department forms that state one; n_synthetic_forms = demo forms (示例数据).
create or replace macro year_stats(p_dataset, p_year, p_units, p_kind) as table
with forms as (
    select f.*
    from selected_forms(p_dataset, null, p_units, p_kind) f
    where f.year in (chosen_year(p_dataset, p_year, p_units, p_kind), chosen_year(p_dataset, p_year, p_units, p_kind) - 1)
),

form_stats as (
    select
        year,
        count(distinct unit_id) as n_units,
        count(*) as n_forms,
        count(*) filter (where kind = 'department') as n_department_forms,
        count(*) filter (where kind = 'project') as n_project_forms,
        count(*) filter (where is_synthetic) as n_synthetic_forms,
        avg(total_used) as mean_total,
        avg(stated_total) as mean_stated_total,
        avg(execution_rate_used_pct) as mean_execution_rate_pct,
        round(sum(budget_full_year_wan) filter (where kind = 'department'), 4) as dept_budget_full_year_wan,
        count(budget_full_year_wan) filter (where kind = 'department') as n_dept_budgets,
        count(*) filter (where grade = '优') as n_grade_excellent,
        count(*) filter (where grade = '良') as n_grade_good,
        count(*) filter (where grade = '中') as n_grade_fair,
        count(*) filter (where grade = '差') as n_grade_poor,
        count(*) filter (where stated_grade <> computed_grade) as n_grade_changed
    from forms
    group by year
),

indicator_stats as (
    select
        f.year,
        count(*) as n_indicators,
        count(*) filter (where i.is_lost_points) as n_lost_points,
        sum(i.points_lost) as points_lost,
        count(*) filter (where i.is_target_met = false) as n_target_missed
    from indicator_facts i
    join forms f on f.report_id = i.report_id
    group by f.year
),

finding_stats as (
    select
        f.year,
        count(*) as n_findings,
        count(*) filter (where fi.severity = 'error') as n_error_findings
    from findings fi
    join forms f on f.report_id = fi.report_id
    group by f.year
)

select
    s.year,
    s.year = chosen_year(p_dataset, p_year, p_units, p_kind) as is_selected_year,
    s.n_units,
    s.n_forms,
    s.n_department_forms,
    s.n_project_forms,
    s.n_synthetic_forms,
    s.mean_total,
    s.mean_stated_total,
    s.mean_execution_rate_pct,
    s.dept_budget_full_year_wan,
    s.n_dept_budgets,
    coalesce(i.n_indicators, 0) as n_indicators,
    coalesce(i.n_lost_points, 0) as n_lost_points,
    coalesce(i.points_lost, 0) as points_lost,
    coalesce(i.n_target_missed, 0) as n_target_missed,
    coalesce(fs.n_findings, 0) as n_findings,
    coalesce(fs.n_error_findings, 0) as n_error_findings,
    s.n_grade_excellent,
    s.n_grade_good,
    s.n_grade_fair,
    s.n_grade_poor,
    s.n_grade_changed
from form_stats s
left join indicator_stats i on i.year = s.year
left join finding_stats fs on fs.year = s.year;

-- The terms a keyword searches for: the keyword itself (lower-cased, trimmed) and, when it contains a term of
-- a keyword_synonyms topic, every term of that topic (热线 also finds 接通率, 接听率 and 12345). No rows when
-- the keyword is NULL.
create or replace macro search_terms(p_keyword) as table
select lower(trim(cast(p_keyword as varchar))) as term
where p_keyword is not null

union

select lower(s.term) as term
from keyword_synonyms s
join keyword_synonyms m on m.topic = s.topic
where position(lower(m.term) in lower(cast(p_keyword as varchar))) > 0;

-- ---------------------------------------------------------------------------------------------------------
-- 复核清单 (issue 16): the signals a performance office re-checks first. queries/review_signals.sql lists the
-- rows that fired, queries/review_priority.sql ranks the forms by a weighted sum of them.
-- ---------------------------------------------------------------------------------------------------------

-- The review signals, each a documented rule with its default weight in the priority score (the analyst may
-- pass other weights to review_priority). level: where a row of the signal points (indicator | form | budget
-- line). The rules, as computed in review_signal_rows below:
create or replace view review_rules as
select signal, signal_group, group_label, signal_label, default_weight, rule, seq
from (values
    ('lenient_score', 'leniency', '自评宽松', '自评分高于评分规则', 3.0,
     '定量指标自评分比按完成比例应得的分数（与 score_check 同一规则）高出 0.5 分以上', 1),
    ('full_score_target_missed', 'leniency', '自评宽松', '未达目标仍得满分', 3.0,
     '定量指标实际完成值未达到目标值，自评分却等于分值', 2),
    ('full_marks', 'leniency', '自评宽松', '自评满分', 1.0,
     '全表每一项（含预算执行率）都得满分；理由中给出本单位当年满分表的占比', 3),
    ('total_above_computed', 'leniency', '自评宽松', '填报总分高于核算总分', 2.0,
     '填报总分比预算执行得分与各指标得分之和高出 0.005 分以上', 4),
    ('few_quantitative', 'target', '目标设置', '定量指标占比低', 1.0,
     '有数值目标的指标不到全表指标的一半（至少 4 项指标的表）', 5),
    ('vague_target', 'target', '目标设置', '定性目标用语模糊', 1.0,
     '没有数值的目标值含模糊用语（提升、有所提高、明显改善、较好、进一步……，词表见 dashboard/review/vague_words.toml）', 6),
    ('target_far_exceeded', 'target', '目标设置', '目标值明显偏低', 2.0,
     '≥ 目标的实际完成值达到目标值的 1.5 倍及以上，或 ≤ 目标的实际值不到目标值的一半（单位相同且目标值大于 0）', 7),
    ('target_unchanged', 'target', '目标设置', '目标与上年相同而实际上升', 1.0,
     '同一单位、同一表、同名指标的目标文字与数值都与上年相同，上年已达标且今年实际完成值又高于上年', 8),
    ('all_at_target', 'target', '目标设置', '定量指标全部恰好达标', 2.0,
     '全表至少 3 项可比较的定量指标，实际完成值全部恰好等于目标值', 9),
    ('target_without_unit', 'target', '目标设置', '定量目标无计量单位', 0.5,
     '目标值有数值，却既没有单位也没有计量单位列', 10),
    ('lost_no_reason', 'note', '偏差说明', '扣分未说明原因', 2.0,
     '扣分（分值减得分大于 0.005）而偏差说明为空或只写“无偏差”一类的话（词表见 vague_words.toml）', 11),
    ('short_note', 'note', '偏差说明', '偏差说明过短', 1.0,
     '扣分指标的偏差说明（去掉空白）不足 8 个字', 12),
    ('similar_note', 'note', '偏差说明', '偏差说明雷同', 2.0,
     '偏差说明与其他单位或其他年度表格中的说明相同或几乎相同（MinHash 候选 + 编辑相似度复核，见 dashboard/review/notes.py）', 13),
    ('execution_always_100', 'budget', '预算执行', '执行率年年恰为100%', 1.0,
     '本年和上年本单位每张表的每一行预算执行率都恰好 100%（执行数等于全年预算数）', 14),
    ('executed_over_budget', 'budget', '预算执行', '执行数超过全年预算', 2.0,
     '预算行的全年执行数比全年预算数多 0.005 万元以上', 15),
    ('project_budget_short', 'budget', '预算执行', '项目预算合计不足项目支出', 1.0,
     '部门整体表“项目支出”全年预算数比同年本单位各项目表全年预算数之和多 0.005 万元以上', 16)
) as t (signal, signal_group, group_label, signal_label, default_weight, rule, seq);

-- A number as forms write it: at most two decimals, no trailing zeros (12.50 → 12.5, 100.00 → 100).
create or replace macro review_num(x) as
    case when x is null then '空' else regexp_replace(printf('%.2f', x), '\.?0+$', '') end;

-- The completion ratio of score_check.sql (the forms' rule for a quantitative indicator), kept within 0..1.
create or replace macro review_rule_ratio(op_used, actual, target) as greatest(least(
    case op_used
        when '>=' then case
            when actual >= target then 1.0
            when target > 0 then actual / target
            else 0.0 end
        when '<=' then case
            when actual <= target then 1.0
            when actual > 0 then target / actual
            else 0.0 end
        else case
            when actual = target then 1.0
            when actual > 0 and target > 0 then least(actual / target, target / actual)
            else 0.0 end
    end, 1.0), 0.0);

-- One row per signal that fired in the selection (see review_rules): the form, the indicator or budget line
-- that triggered it (with its source line), `figure` (the number the rule looked at) and `detail` (a short
-- Chinese phrase saying what was seen). Word lists and near-duplicate note groups come in as lists:
-- p_vague_words (vague target words), p_empty_notes (notes that give no reason: 无偏差, 无 …),
-- p_similar_ids / p_similar_groups (parallel lists: an indicator_id and its group of near-identical notes,
-- computed over the whole dataset by dashboard/review/notes.py). NULL lists fire no row of their signal.
create or replace macro review_signal_rows(
    p_dataset, p_year, p_units, p_kind, p_vague_words, p_empty_notes, p_similar_ids, p_similar_groups
) as table
with forms as (
    select * from selected_forms(p_dataset, p_year, p_units, p_kind)
),

inds as (
    select i.*
    from indicator_facts i
    where i.report_id in (select report_id from forms)
),

quantitative as (
    select
        i.*,
        review_rule_ratio(
            case when i.target_op in ('<=', '<') then '<=' when i.target_op = '=' then '=' else '>=' end,
            i.actual_value, i.target_value
        ) as rule_ratio
    from inds i
    where i.is_target_met is not null and i.weight is not null and i.score is not null
),

lenient as (
    select
        'lenient_score' as signal, q.report_id, q.indicator_id, null as budget_line,
        round(q.score - q.rule_ratio * q.weight, 4) as figure,
        q.indicator || '：目标' || coalesce(q.target_text, '') || '，实际' || coalesce(q.actual_text, '')
        || '，应得' || review_num(q.rule_ratio * q.weight) || '分，自评' || review_num(q.score) || '分' as detail,
        q.source_line, q.source_ref
    from quantitative q
    where q.score - q.rule_ratio * q.weight > 0.5
),

full_missed as (
    select
        'full_score_target_missed' as signal, i.report_id, i.indicator_id, null as budget_line,
        i.weight as figure,
        i.indicator || '：目标' || coalesce(i.target_text, '') || '，实际' || coalesce(i.actual_text, '')
        || '，得满分' || review_num(i.score) || '分' as detail,
        i.source_line, i.source_ref
    from inds i
    where i.is_target_met = false and i.weight is not null and i.score >= i.weight - points_epsilon()
),

form_scores as (
    select
        f.*,
        coalesce(p.n_lost_points, 0) as n_lost_points,
        f.computed_total is not null and f.weight_total > 0
        and abs(f.computed_total - f.weight_total) <= points_epsilon() and coalesce(p.n_lost_points, 0) = 0
            as is_full_marks
    from forms f
    left join form_points p on p.report_id = f.report_id
),

unit_full_share as (
    select unit_id, year, count(*) filter (where is_full_marks) as n_full, count(*) as n_forms
    from form_scores
    group by unit_id, year
),

full_marks as (
    select
        'full_marks' as signal, f.report_id, null as indicator_id, null as budget_line,
        f.computed_total as figure,
        '自评' || review_num(f.computed_total) || '分（满分），本单位当年' || s.n_full || '/' || s.n_forms
        || '张表满分' as detail,
        f.source_line, f.source_ref
    from form_scores f
    join unit_full_share s on s.unit_id is not distinct from f.unit_id and s.year is not distinct from f.year
    where f.is_full_marks
),

total_above as (
    select
        'total_above_computed' as signal, f.report_id, null as indicator_id, null as budget_line,
        round(f.stated_total - f.computed_total, 4) as figure,
        '填报总分' || review_num(f.stated_total) || '分，核算总分' || review_num(f.computed_total) || '分' as detail,
        f.source_line, f.source_ref
    from forms f
    where f.stated_total - f.computed_total > 0.005
),

form_targets as (
    select
        report_id,
        count(*) as n_indicators,
        count(*) filter (where target_value is not null) as n_quantitative,
        count(*) filter (where target_value is not null and actual_value is not null
                         and is_target_met is not null) as n_comparable,
        count(*) filter (where target_value is not null and actual_value is not null
                         and is_target_met is not null and actual_value = target_value) as n_exact,
        min(source_line) as source_line,
        min(source_ref) as source_ref
    from inds
    group by report_id
),

few_quant as (
    select
        'few_quantitative' as signal, t.report_id, null as indicator_id, null as budget_line,
        round(t.n_quantitative * 100.0 / t.n_indicators, 1) as figure,
        '定量指标' || t.n_quantitative || '/' || t.n_indicators || '项' as detail,
        t.source_line, t.source_ref
    from form_targets t
    where t.n_indicators >= 4 and t.n_quantitative * 2 < t.n_indicators
),

vague as (
    select
        'vague_target' as signal, i.report_id, i.indicator_id, null as budget_line,
        null::double as figure,
        i.indicator || '：目标“' || i.target_text || '”' as detail,
        i.source_line, i.source_ref
    from inds i
    where i.target_value is null
      and i.target_text is not null
      and exists (
          select 1
          from unnest(coalesce(cast(p_vague_words as varchar[]), []::varchar[])) as v (word)
          where position(v.word in i.target_text) > 0
      )
),

far_exceeded as (
    select
        'target_far_exceeded' as signal, i.report_id, i.indicator_id, null as budget_line,
        case when coalesce(i.target_op, '>=') in ('>=', '>') then round(i.actual_value / i.target_value, 4)
             when i.actual_value > 0 then round(i.target_value / i.actual_value, 4) end as figure,
        i.indicator || '：目标' || coalesce(i.target_text, '') || '，实际' || coalesce(i.actual_text, '')
        || case when coalesce(i.target_op, '>=') in ('>=', '>')
                then '（目标的' || review_num(i.actual_value / i.target_value) || '倍）'
                else '（不到目标的一半）' end as detail,
        i.source_line, i.source_ref
    from inds i
    where i.target_value > 0
      and i.actual_value is not null
      and i.target_unit is not distinct from i.actual_unit
      and (
          (coalesce(i.target_op, '>=') in ('>=', '>') and i.actual_value >= 1.5 * i.target_value)
          or (i.target_op in ('<=', '<') and i.actual_value <= 0.5 * i.target_value)
      )
),

previous_year as (
    select
        p.indicator_id, p.unit_id, p.year, p.kind, coalesce(p.project, '') as project_key, p.indicator,
        p.target_text, p.target_value, p.actual_value, p.actual_text
    from indicator_facts p
    where (p_dataset is null or p.dataset = p_dataset)
      and p.is_target_met
),

unchanged as (
    select
        'target_unchanged' as signal, i.report_id, i.indicator_id, null as budget_line,
        round(i.actual_value - p.actual_value, 4) as figure,
        i.indicator || '：目标' || i.target_text || '与' || (i.year - 1) || '年相同，实际由'
        || coalesce(p.actual_text, '') || '升至' || coalesce(i.actual_text, '') as detail,
        i.source_line, i.source_ref
    from inds i
    join previous_year p
        on p.unit_id = i.unit_id and p.year = i.year - 1 and p.kind = i.kind
       and p.project_key = coalesce(i.project, '') and p.indicator = i.indicator
       and p.target_text = i.target_text and p.target_value = i.target_value
    where i.target_value is not null and i.actual_value > p.actual_value
    qualify row_number() over (partition by i.indicator_id order by p.actual_value desc, p.indicator_id) = 1
),

at_target as (
    select
        'all_at_target' as signal, t.report_id, null as indicator_id, null as budget_line,
        t.n_exact::double as figure,
        t.n_exact || '项定量指标实际值全部恰好等于目标值' as detail,
        t.source_line, t.source_ref
    from form_targets t
    where t.n_comparable >= 3 and t.n_exact = t.n_comparable
),

no_unit as (
    select
        'target_without_unit' as signal, i.report_id, i.indicator_id, null as budget_line,
        i.target_value as figure,
        i.indicator || '：目标“' || i.target_text || '”' as detail,
        i.source_line, i.source_ref
    from inds i
    join indicators raw on raw.indicator_id = i.indicator_id
    where i.target_value is not null
      and coalesce(nullif(trim(i.target_unit), ''), nullif(trim(raw.measure_unit), '')) is null
),

lost_notes as (
    select
        i.*,
        regexp_replace(coalesce(i.note, ''), '[\s。．.，,；;：:、!！]+', '', 'g') as note_key
    from inds i
    where i.weight - i.score > 0.005
),

no_reason as (
    select
        'lost_no_reason' as signal, n.report_id, n.indicator_id, null as budget_line,
        round(n.weight - n.score, 4) as figure,
        n.indicator || '：扣' || review_num(n.weight - n.score) || '分，'
        || case when n.note_key = '' then '未写偏差说明' else '说明为“' || trim(n.note) || '”' end as detail,
        n.source_line, n.source_ref
    from lost_notes n
    where n.note_key = ''
       or list_contains(coalesce(cast(p_empty_notes as varchar[]), []::varchar[]), n.note_key)
),

short_notes as (
    select
        'short_note' as signal, n.report_id, n.indicator_id, null as budget_line,
        length(n.note_key)::double as figure,
        n.indicator || '：扣' || review_num(n.weight - n.score) || '分，说明仅“' || trim(n.note) || '”' as detail,
        n.source_line, n.source_ref
    from lost_notes n
    where n.note_key <> ''
      and length(n.note_key) < 8
      and not list_contains(coalesce(cast(p_empty_notes as varchar[]), []::varchar[]), n.note_key)
),

similar_members as (
    select
        unnest(coalesce(cast(p_similar_ids as integer[]), []::integer[])) as indicator_id,
        unnest(coalesce(cast(p_similar_groups as integer[]), []::integer[])) as group_id
),

similar_spread as (
    select
        m.group_id,
        count(distinct p.unit_id) as n_units,
        count(distinct p.year) as n_years,
        count(distinct (p.unit_id, p.year)) as n_unit_years
    from similar_members m
    join indicator_facts p on p.indicator_id = m.indicator_id
    group by m.group_id
),

similar_notes as (
    select
        'similar_note' as signal, i.report_id, i.indicator_id, null as budget_line,
        (s.n_units - 1)::double as figure,
        i.indicator || '：说明与第' || s.group_id || '组雷同（' || s.n_units || '个单位、' || s.n_years || '个年度）'
        as detail,
        i.source_line, i.source_ref
    from inds i
    join similar_members m on m.indicator_id = i.indicator_id
    join similar_spread s on s.group_id = m.group_id
    where s.n_unit_years >= 2
),

unit_year_lines as (
    select
        r.unit_id, r.year,
        bool_and(b.executed = b.full_year) as is_all_100,
        count(*) as n_lines
    from budget_lines b
    join form_facts r on r.report_id = b.report_id
    where b.full_year > 0 and b.executed is not null
      and (p_dataset is null or r.dataset = p_dataset)
    group by r.unit_id, r.year
),

always_100 as (
    select
        'execution_always_100' as signal, f.report_id, null as indicator_id, null as budget_line,
        100.0 as figure,
        (f.year - 1) || '—' || f.year || '年本单位' || (c.n_lines + p.n_lines) || '行预算执行率均恰为100%'
        as detail,
        f.source_line, f.source_ref
    from forms f
    join unit_year_lines c on c.unit_id = f.unit_id and c.year = f.year
    join unit_year_lines p on p.unit_id = f.unit_id and p.year = f.year - 1
    where c.is_all_100 and p.is_all_100
),

over_budget as (
    select
        'executed_over_budget' as signal, b.report_id, null as indicator_id, b.line as budget_line,
        round(b.executed - b.full_year, 4) as figure,
        b.line || '：执行数' || review_num(b.executed) || '万元，全年预算数' || review_num(b.full_year) || '万元'
        as detail,
        b.source_line, b.source_ref
    from budget_lines b
    where b.report_id in (select report_id from forms)
      and b.executed - b.full_year > 0.005
),

project_sums as (
    select unit_id, year, sum(budget_full_year_wan) as projects_full_year_wan, count(*) as n_projects
    from form_facts
    where kind = 'project' and (p_dataset is null or dataset = p_dataset)
    group by unit_id, year
),

project_short as (
    select
        'project_budget_short' as signal, f.report_id, null as indicator_id, b.line as budget_line,
        round(b.full_year - s.projects_full_year_wan, 4) as figure,
        '项目支出' || review_num(b.full_year) || '万元，' || s.n_projects || '张项目表合计'
        || review_num(s.projects_full_year_wan) || '万元' as detail,
        b.source_line, b.source_ref
    from forms f
    join budget_lines b on b.report_id = f.report_id and b.line = '项目支出'
    join project_sums s on s.unit_id = f.unit_id and s.year = f.year
    where f.kind = 'department' and b.full_year - s.projects_full_year_wan > 0.005
),

fired as (
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from lenient
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from full_missed
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from full_marks
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from total_above
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from few_quant
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from vague
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from far_exceeded
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from unchanged
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from at_target
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from no_unit
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from no_reason
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from short_notes
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from similar_notes
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from always_100
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from over_budget
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from project_short
)

select
    x.signal,
    r.signal_group,
    r.group_label,
    r.signal_label,
    r.seq as signal_seq,
    x.report_id,
    f.dataset,
    f.unit_id,
    f.unit,
    f.year,
    f.kind,
    f.form,
    x.indicator_id,
    i.indicator,
    i.seq as indicator_seq,
    x.budget_line,
    x.figure,
    x.detail,
    f.path,
    x.source_line,
    x.source_ref
from fired x
join review_rules r on r.signal = x.signal
join forms f on f.report_id = x.report_id
left join inds i on i.indicator_id = x.indicator_id;
