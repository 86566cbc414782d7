-- One row per year (the chosen year and the one before it, when it has forms): the headline figures of a selection of units.
-- label: 选定范围汇总：所选年度（及上年）选定单位的主要数字，供绩效分析报告的摘要使用
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project]
-- columns: year, is_selected_year, n_units, n_forms, n_department_forms, n_project_forms, n_synthetic_forms,
--   mean_total, mean_stated_total, mean_execution_rate_pct, dept_budget_full_year_wan, n_dept_budgets,
--   n_indicators, n_lost_points, points_lost, n_target_missed, n_findings, n_error_findings,
--   n_grade_excellent, n_grade_good, n_grade_fair, n_grade_poor, n_grade_changed
--
-- The figures of overview_kpis (same definitions; a test pins that they agree when $units is NULL), for the
-- units in $units (a list of unit names; NULL = all units). $year NULL = the latest year in the filtered data.
-- mean_total = mean form total (computed, else stated); mean_execution_rate_pct = mean form execution rate
-- (computed, else stated); n_lost_points = indicators with weight − score > 0, points_lost = Σ (weight − score);
-- n_target_missed = numeric actual misses its target; grades on the total used (grade_scale view),
-- n_grade_changed = forms whose stated and computed grades differ. dept_budget_full_year_wan = Σ of the
-- department forms' full-year budgets (万元; project forms are parts of them, so they are not added again),
-- n_dept_budgets = the department forms that state one. n_synthetic_forms = demo forms (示例数据) in scope.
-- Order: the chosen year first.
with forms as (
    select *
    from form_facts
    where year is not null
      and ($dataset is null or dataset = $dataset)
      and ($kind is null or kind = $kind)
      and ($units is null or list_contains(cast($units as varchar[]), unit))
),

chosen_year as (
    select coalesce($year, max(year)) as year
    from forms
),

forms_in_years as (
    select f.*
    from forms f
    join chosen_year c on f.year in (c.year, c.year - 1)
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
    from forms_in_years
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
    join forms_in_years f on f.report_id = i.report_id
    group by f.year
),

finding_stats as (
    select
        f.year,
        count(*) as n_findings,
        count(*) filter (where fi.severity = 'error') as n_error_findings
    from findings fi
    join forms_in_years f on f.report_id = fi.report_id
    group by f.year
),

final as (
    select
        s.year,
        s.year = c.year as is_selected_year,
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
    cross join chosen_year c
    left join indicator_stats i on i.year = s.year
    left join finding_stats fs on fs.year = s.year
)

select * from final
order by is_selected_year desc, year desc
