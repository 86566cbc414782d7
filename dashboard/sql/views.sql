-- Jixiao read side: the views and macros every query in queries/ builds on. Readers create them in their own
-- in-memory catalog each time they open a database (dashboard/db.py), so they are never stored in the file and
-- changing them never forces a re-ingest. The tables are in tables.sql.
--
-- The selection macros hold the filtering every query shares, as datasette's facets wrap one base query:
--   selected_forms(dataset, year, units, kind, scope)        one row per form in the selection (form_facts)
--   selected_indicators(dataset, year, units, kind, level1, scope)  one row per indicator in it (indicator_facts)
--   chosen_year(dataset, year, units, kind, scope)           the year asked for, else the latest year with
--                                                            forms in the selection (the one definition)
-- NULL means "all" for every argument; units is a VARCHAR[] of unit names.
-- scope (the last argument of every selection macro and of unit_years / year_stats / review_signal_rows) is the
-- access scope: the unit names a logged-in 部门 user may see (NULL: no restriction). It is applied here, at read
-- time, never inside a view body (the derived tables are stored unscoped), and every query in queries/ binds it
-- as $scope, so a unit outside it never reaches a row, a count, a rank or a mean.

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
-- NULL-safe "used" figures, with a *_basis column saying which figure was used.
-- The scores (the decision of issue 13: the score the form reports is the official one):
--   stated_total      填报总分 / 自评得分, the total the form reports;
--   computed_total    Σ得分, the raw sum of the scores (budget execution item included), kept for auditors: on
--                     weights adding up to 95 or 106 it is not on the 100-point scale;
--   recomputed_score  核算得分 = Σ得分 / Σ分值 × 100 (computed_total / weight_total × 100, budget execution item
--                     included), the recomputed total on the 100-point scale;
--   total_used        the headline score: stated_total, else recomputed_score (total_basis 'stated' |
--                     'recomputed' says which, so a page can say a form had no reported total);
--   score_gap         stated_total − recomputed_score; is_score_gap_flagged when |score_gap| > 0.5;
--   total_gap         stated_total − computed_total (the arithmetic check behind the 填报总分不一致 finding).
-- Grades (grade_scale): stated_grade on stated_total, computed_grade (核算后等级) on recomputed_score, grade on
-- total_used.
create or replace view form_facts as
with forms as (
    select
        r.*,
        case when r.weight_total > 0 then r.computed_total / r.weight_total * 100 end as recomputed_score,
        coalesce(r.execution_rate_pct, r.execution_rate_stated_pct) as execution_rate_used_pct
    from reports r
),

forms_used as (
    select f.*, coalesce(f.stated_total, f.recomputed_score) as total_used
    from forms f
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
    f.recomputed_score,
    f.total_used,
    case
        when f.stated_total is not null then 'stated'
        when f.recomputed_score is not null then 'recomputed'
    end as total_basis,
    f.stated_total - f.computed_total as total_gap,
    f.stated_total - f.recomputed_score as score_gap,
    coalesce(abs(f.stated_total - f.recomputed_score) > 0.5, false) as is_score_gap_flagged,
    f.weight_total,
    f.stated_weight_total,
    gs.grade as stated_grade,
    gc.grade as computed_grade,
    gu.grade as grade
from forms_used f
left join sources s on s.source_id = f.source_id
left join grade_scale gs
    on (gs.min_total is null or f.stated_total >= gs.min_total)
   and (gs.max_total is null or f.stated_total < gs.max_total)
left join grade_scale gc
    on (gc.min_total is null or f.recomputed_score >= gc.min_total)
   and (gc.max_total is null or f.recomputed_score < gc.max_total)
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
    i.measure_unit,
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
    -- The note without blanks and punctuation: the review signals compare it (empty, too short, a word list);
    -- stored with the derived table so no call runs the regular expression over every note.
    regexp_replace(coalesce(i.note, ''), '[\s。．.，,；;：:、!！]+', '', 'g') as note_key,
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

create or replace macro in_scope(p_scope, p_unit) as
    p_scope is null or coalesce(list_contains(cast(p_scope as varchar[]), p_unit), false);

create or replace macro selected_forms(p_dataset, p_year, p_units, p_kind, p_scope) as table
select *
from form_facts
where in_scope(p_scope, unit)
  and (p_dataset is null or dataset = p_dataset)
  and (p_year is null or year = p_year)
  and (p_units is null or list_contains(cast(p_units as varchar[]), unit))
  and (p_kind is null or kind = p_kind);

create or replace macro selected_indicators(p_dataset, p_year, p_units, p_kind, p_level1, p_scope) as table
select *
from indicator_facts
where in_scope(p_scope, unit)
  and (p_dataset is null or dataset = p_dataset)
  and (p_year is null or year = p_year)
  and (p_units is null or list_contains(cast(p_units as varchar[]), unit))
  and (p_kind is null or kind = p_kind)
  and (p_level1 is null or level1 = p_level1);

-- The source files a scope may see: every file when p_scope is NULL, else the files that hold at least one form
-- and only forms of units in the scope (a file that also holds another unit's form, or a failed file, is not
-- shown to a 部门 user: its name and counts are the bureau's).
create or replace macro sources_in_scope(p_scope) as table
select s.*
from sources s
where p_scope is null
   or s.source_id in (
       select source_id
       from form_facts
       group by source_id
       having bool_and(in_scope(p_scope, unit))
   );

create or replace macro chosen_year(p_dataset, p_year, p_units, p_kind, p_scope) as coalesce(
    p_year,
    (select max(year) from selected_forms(p_dataset, null, p_units, p_kind, p_scope))
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
-- compare these, so both follow one rule). Every figure of a row comes from the same forms, the unit's score
-- forms (score_basis): its department form when it has one that year ('department'), else all its project forms
-- ('projects_mean'); n_score_forms counts them. $kind = 'project' leaves only project forms.
--   unit_total = the score forms' headline score (form_facts.total_used: reported, else 核算得分), the mean over
--     project forms; unit_stated_total, unit_recomputed_score (核算得分), unit_computed_total (raw Σ得分) the same
--     way on those columns; score_gap = unit_stated_total − unit_recomputed_score, is_score_gap_flagged > 0.5;
--   execution_rate_pct = the department form's rate (computed, else stated), else Σ executed / Σ full-year of
--     the project forms that state both, else the mean stated project rate;
--   points_lost, weight_scored, points_lost_share_pct = Σ (weight − score), Σ weight and their ratio × 100 over
--     the score forms, budget execution lines included, counting items that have both a weight and a score;
--     n_lost_points, n_findings, n_error_findings, n_forms_weight_off over the score forms too;
--   budget_full_year_wan = the department form's full-year budget, else Σ the projects'.
-- n_forms and n_projects count all the unit's forms. p_year NULL = every year, else that year and the one before.
create or replace macro unit_years(p_dataset, p_kind, p_year, p_scope) as table
with all_forms as (
    select f.*, p.points_lost as form_points_lost, p.weight_scored as form_weight_scored,
           p.n_lost_points as form_n_lost_points, p.n_findings as form_findings,
           p.n_error_findings as form_error_findings, p.is_weight_off,
           bool_or(f.kind = 'department') over (partition by f.unit_id, f.year) as unit_has_department
    from selected_forms(p_dataset, null, null, p_kind, p_scope) f
    join form_points p on p.report_id = f.report_id
    where f.unit_id is not null
      and f.year is not null
      and (p_year is null or f.year = p_year or f.year = p_year - 1)
),

forms as (
    select *, kind = 'department' or not unit_has_department as is_score_form
    from all_forms
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
        count(*) filter (where is_score_form) as n_score_forms,
        bool_or(kind = 'department') as has_department,
        max(report_id) filter (where kind = 'department') as dept_report_id,
        max(total_used) filter (where kind = 'department') as dept_total,
        max(stated_total) filter (where kind = 'department') as dept_stated_total,
        max(computed_total) filter (where kind = 'department') as dept_computed_total,
        max(recomputed_score) filter (where kind = 'department') as dept_recomputed_score,
        max(execution_rate_used_pct) filter (where kind = 'department') as dept_execution_rate_pct,
        max(budget_full_year_wan) filter (where kind = 'department') as dept_full_year_wan,
        avg(total_used) filter (where kind = 'project') as projects_mean_total,
        avg(stated_total) filter (where kind = 'project') as projects_mean_stated_total,
        avg(total_used) filter (where is_score_form) as unit_total,
        avg(stated_total) filter (where is_score_form) as unit_stated_total,
        avg(recomputed_score) filter (where is_score_form) as unit_recomputed_score,
        avg(computed_total) filter (where is_score_form) as unit_computed_total,
        sum(budget_executed_wan) filter (
            where kind = 'project' and budget_full_year_wan is not null
        ) as projects_executed_wan,
        sum(budget_full_year_wan) filter (
            where kind = 'project' and budget_executed_wan is not null
        ) as projects_full_year_with_executed_wan,
        sum(budget_full_year_wan) filter (where kind = 'project') as projects_full_year_wan,
        avg(execution_rate_stated_pct) filter (where kind = 'project') as projects_stated_rate_pct,
        sum(form_points_lost) filter (where is_score_form) as points_lost,
        sum(form_weight_scored) filter (where is_score_form) as weight_scored,
        cast(coalesce(sum(form_n_lost_points) filter (where is_score_form), 0) as bigint) as n_lost_points,
        cast(count(*) filter (where is_score_form and is_weight_off) as bigint) as n_forms_weight_off,
        cast(coalesce(sum(form_findings) filter (where is_score_form), 0) as bigint) as n_findings,
        cast(coalesce(sum(form_error_findings) filter (where is_score_form), 0) as bigint) as n_error_findings
    from forms
    group by unit_id, year
)

select
    u.*,
    u.unit_stated_total - u.unit_recomputed_score as score_gap,
    coalesce(abs(u.unit_stated_total - u.unit_recomputed_score) > 0.5, false) as is_score_gap_flagged,
    case when u.has_department then 'department'
         when u.n_projects > 0 then 'projects_mean' end as score_basis,
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
--   mean_total = mean headline score (form_facts.total_used: reported, else 核算得分), mean_stated_total,
--   mean_recomputed_score = mean 核算得分, n_forms_without_stated = forms scored by 核算得分 for want of a reported
--   total, n_score_gap_flagged = forms whose reported and recomputed scores differ by more than 0.5;
--   mean_execution_rate_pct = mean form execution rate
--   (computed, else stated); n_lost_points = indicators with weight − score above the noise threshold,
--   points_lost = Σ (weight − score); n_target_missed = numeric actual misses its target; grades on the total
--   used (grade_scale), n_grade_changed = forms whose stated grade and 核算后等级 (computed_grade) differ;
--   dept_budget_full_year_wan = Σ of the department forms' full-year budgets (project forms are parts of them),
--   n_dept_budgets = the department forms that state one; n_synthetic_forms = demo forms (示例数据).
create or replace macro year_stats(p_dataset, p_year, p_units, p_kind, p_scope) as table
with forms as (
    select f.*
    from selected_forms(p_dataset, null, p_units, p_kind, p_scope) f
    where f.year in (
        chosen_year(p_dataset, p_year, p_units, p_kind, p_scope),
        chosen_year(p_dataset, p_year, p_units, p_kind, p_scope) - 1
    )
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
        avg(recomputed_score) as mean_recomputed_score,
        count(*) filter (where total_basis = 'recomputed') as n_forms_without_stated,
        count(*) filter (where is_score_gap_flagged) as n_score_gap_flagged,
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
    s.year = chosen_year(p_dataset, p_year, p_units, p_kind, p_scope) as is_selected_year,
    s.n_units,
    s.n_forms,
    s.n_department_forms,
    s.n_project_forms,
    s.n_synthetic_forms,
    s.mean_total,
    s.mean_stated_total,
    s.mean_recomputed_score,
    s.n_forms_without_stated,
    s.n_score_gap_flagged,
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

-- One row per indicator whose name (level3), target or note contains a hotline term (keyword_synonyms topic
-- 'hotline'; the terms are Chinese or digits, so matched without lower-casing the long notes).
-- low_scoring_indicators lists these first on ties. The writer stores it (dashboard/schema.py DERIVED).
create or replace view hotline_indicators as
select distinct i.report_id, i.indicator_id
from indicators i
join keyword_synonyms s
  on s.topic = 'hotline'
 and (position(s.term in coalesce(i.level3, '')) > 0
      or position(s.term in coalesce(i.target_text, '')) > 0
      or position(s.term in coalesce(i.note, '')) > 0);
