-- One row per unit × year: the unit's headline figures beside the same figures for year − 1 and the change.
-- label: 年度对比：各单位各年度的主要数字及与上年相比的变化
-- params: $dataset VARCHAR = NULL [real|demo], $unit VARCHAR = NULL, $kind VARCHAR = NULL [department|project],
--   $year INTEGER = NULL
-- columns: unit_id, unit, year, dataset, n_forms, n_projects, score_basis, unit_total, unit_stated_total,
--   execution_rate_pct, budget_full_year_wan, points_lost, points_lost_share_pct, n_lost_points, n_findings,
--   prev_year, prev_unit_total, unit_total_change, prev_unit_stated_total, unit_stated_total_change,
--   prev_execution_rate_pct, execution_rate_change_pct, prev_budget_full_year_wan, budget_full_year_change_wan,
--   prev_points_lost_share_pct, points_lost_share_change_pct, prev_n_lost_points, n_lost_points_change,
--   prev_n_findings, n_findings_change
--
-- The unit figures follow the same rules as department_ranking (a test pins that they agree):
-- unit_total = the department form's total (computed, else stated) when there is one, else the mean of the
-- project forms' totals (score_basis 'department' | 'projects_mean'); unit_stated_total likewise on stated
-- totals; execution_rate_pct = the department form's rate (computed, else stated), else Σ executed / Σ
-- full-year of the projects; points_lost_share_pct = Σ (weight − score) / Σ weight × 100 over all forms,
-- execution lines included. budget_full_year_wan = the department form's full-year budget, else Σ projects'.
-- prev_* are the unit's figures for year − 1 (NULL when it has no forms that year); *_change = this − prev.
-- $year keeps that year's rows (its previous year is still read for prev_*).
with forms as (
    select *
    from form_facts
    where unit_id is not null
      and year is not null
      and ($dataset is null or dataset = $dataset)
      and ($unit is null or unit = $unit)
      and ($kind is null or kind = $kind)
      and ($year is null or year = $year or year = $year - 1)
),

indicator_points as (
    select
        i.report_id,
        sum(i.points_lost) as points_lost,
        sum(i.weight) filter (where i.points_lost is not null) as weight_scored,
        count(*) filter (where i.is_lost_points) as n_lost_points
    from indicator_facts i
    join forms f on f.report_id = i.report_id
    group by i.report_id
),

finding_counts as (
    select fi.report_id, count(*) as n_findings
    from findings fi
    join forms f on f.report_id = fi.report_id
    group by fi.report_id
),

form_points as (
    select
        f.*,
        coalesce(p.points_lost, 0) + coalesce(f.execution_weight - f.execution_score, 0) as form_points_lost,
        coalesce(p.weight_scored, 0)
            + case when f.execution_score is not null then coalesce(f.execution_weight, 0) else 0 end
            as form_weight_scored,
        coalesce(p.n_lost_points, 0)
            + case when f.execution_weight - f.execution_score > 0.00005 then 1 else 0 end as form_n_lost_points,
        coalesce(c.n_findings, 0) as form_findings
    from forms f
    left join indicator_points p on p.report_id = f.report_id
    left join finding_counts c on c.report_id = f.report_id
),

unit_years as (
    select
        unit_id,
        max(unit) as unit,
        year,
        case when bool_and(is_synthetic) then 'demo' when not bool_or(is_synthetic) then 'real' else 'mixed' end
            as dataset,
        count(*) as n_forms,
        count(*) filter (where kind = 'project') as n_projects,
        max(total_used) filter (where kind = 'department') as dept_total,
        max(stated_total) filter (where kind = 'department') as dept_stated_total,
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
        cast(sum(form_findings) as bigint) as n_findings
    from form_points
    group by unit_id, year
),

unit_figures as (
    select
        u.unit_id,
        u.unit,
        u.year,
        u.dataset,
        u.n_forms,
        u.n_projects,
        case when u.dept_total is not null then 'department'
             when u.projects_mean_total is not null then 'projects_mean' end as score_basis,
        coalesce(u.dept_total, u.projects_mean_total) as unit_total,
        coalesce(u.dept_stated_total, u.projects_mean_stated_total) as unit_stated_total,
        coalesce(
            u.dept_execution_rate_pct,
            case when u.projects_full_year_with_executed_wan > 0
                then u.projects_executed_wan / u.projects_full_year_with_executed_wan * 100 end,
            u.projects_stated_rate_pct
        ) as execution_rate_pct,
        round(coalesce(u.dept_full_year_wan, u.projects_full_year_wan), 4) as budget_full_year_wan,
        u.points_lost,
        case when u.weight_scored > 0 then u.points_lost / u.weight_scored * 100 end as points_lost_share_pct,
        u.n_lost_points,
        u.n_findings
    from unit_years u
),

final as (
    select
        c.*,
        c.year - 1 as prev_year,
        p.unit_total as prev_unit_total,
        c.unit_total - p.unit_total as unit_total_change,
        p.unit_stated_total as prev_unit_stated_total,
        c.unit_stated_total - p.unit_stated_total as unit_stated_total_change,
        p.execution_rate_pct as prev_execution_rate_pct,
        c.execution_rate_pct - p.execution_rate_pct as execution_rate_change_pct,
        p.budget_full_year_wan as prev_budget_full_year_wan,
        round(c.budget_full_year_wan - p.budget_full_year_wan, 4) as budget_full_year_change_wan,
        p.points_lost_share_pct as prev_points_lost_share_pct,
        c.points_lost_share_pct - p.points_lost_share_pct as points_lost_share_change_pct,
        p.n_lost_points as prev_n_lost_points,
        c.n_lost_points - p.n_lost_points as n_lost_points_change,
        p.n_findings as prev_n_findings,
        c.n_findings - p.n_findings as n_findings_change
    from unit_figures c
    left join unit_figures p on p.unit_id = c.unit_id and p.year = c.year - 1
    where $year is null or c.year = $year
)

select * from final
order by unit, year
