-- One row per unit × year: budget execution of the department form (whole, 基本支出, 项目支出) and of the project forms, stated vs computed.
-- label: 各单位各年度预算执行率：部门整体（含基本支出、项目支出）与项目表，填报值与重新计算值
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $scope VARCHAR[] = NULL
-- ignores: $kind (a unit's department and project forms side by side), $level1 (budgets, not indicators)
-- columns: unit_id, unit, year, dataset, dept_report_id, dept_full_year_wan, dept_executed_wan,
--   dept_rate_stated_pct, dept_rate_computed_pct, dept_rate_pct, dept_rate_basis,
--   basic_full_year_wan, basic_executed_wan, basic_rate_stated_pct, basic_rate_computed_pct,
--   project_line_full_year_wan, project_line_executed_wan, project_line_rate_stated_pct, project_line_rate_computed_pct,
--   n_projects, projects_full_year_wan, projects_executed_wan, projects_rate_stated_pct, projects_rate_computed_pct,
--   projects_rate_pct, projects_rate_basis, project_budget_gap_wan
--
-- Rates are percent (100 = 100%), money 万元. *_rate_computed_pct = executed / full-year × 100 where both exist;
-- *_rate_pct is the computed rate, else the stated one, and *_rate_basis says which ('computed' | 'stated').
-- Project forms are pooled: projects_rate_computed_pct = Σ executed / Σ full-year over the projects that have
-- both; projects_rate_stated_pct is the stated rates weighted by full-year budget (plain mean where that is
-- missing). project_budget_gap_wan = the department form's 项目支出 full-year budget − Σ project full-year budgets.
-- Sums of money are rounded to 4 decimals (0.0001 万元 = 1 元) so float noise never shows as a gap.
with forms as (
    select *
    from selected_forms($dataset, $year, $units, null, $scope)
    where unit_id is not null
      and year is not null
),

department_lines as (
    select
        b.report_id,
        max(case when b.line = '基本支出' then b.full_year end) as basic_full_year_wan,
        max(case when b.line = '基本支出' then b.executed end) as basic_executed_wan,
        max(case when b.line = '基本支出' then b.execution_rate_stated_pct end) as basic_rate_stated_pct,
        max(case when b.line = '项目支出' then b.full_year end) as project_line_full_year_wan,
        max(case when b.line = '项目支出' then b.executed end) as project_line_executed_wan,
        max(case when b.line = '项目支出' then b.execution_rate_stated_pct end) as project_line_rate_stated_pct
    from budget_lines b
    join forms f on f.report_id = b.report_id and f.kind = 'department'
    group by b.report_id
),

unit_years as (
    select
        f.unit_id,
        max(f.unit) as unit,
        f.year,
        case when bool_and(f.is_synthetic) then 'demo' when not bool_or(f.is_synthetic) then 'real' else 'mixed' end
            as dataset,
        max(f.report_id) filter (where f.kind = 'department') as dept_report_id,
        count(*) filter (where f.kind = 'project') as n_projects,
        sum(f.budget_full_year_wan) filter (where f.kind = 'project') as projects_full_year_wan,
        sum(f.budget_executed_wan) filter (where f.kind = 'project') as projects_executed_wan,
        sum(f.budget_full_year_wan) filter (
            where f.kind = 'project' and f.budget_executed_wan is not null
        ) as projects_full_year_with_executed_wan,
        sum(f.budget_executed_wan) filter (
            where f.kind = 'project' and f.budget_full_year_wan is not null
        ) as projects_executed_with_full_year_wan,
        sum(f.execution_rate_stated_pct * f.budget_full_year_wan) filter (
            where f.kind = 'project' and f.budget_full_year_wan > 0
        ) as projects_stated_rate_x_budget,
        sum(f.budget_full_year_wan) filter (
            where f.kind = 'project' and f.budget_full_year_wan > 0 and f.execution_rate_stated_pct is not null
        ) as projects_stated_rate_budget_wan,
        avg(f.execution_rate_stated_pct) filter (where f.kind = 'project') as projects_rate_stated_mean_pct
    from forms f
    group by f.unit_id, f.year
),

projects_pooled as (
    select
        u.*,
        case when u.projects_full_year_with_executed_wan > 0
            then u.projects_executed_with_full_year_wan / u.projects_full_year_with_executed_wan * 100
        end as projects_rate_computed_pct,
        coalesce(
            u.projects_stated_rate_x_budget / nullif(u.projects_stated_rate_budget_wan, 0),
            u.projects_rate_stated_mean_pct
        ) as projects_rate_stated_pct
    from unit_years u
),

final as (
    select
        p.unit_id,
        p.unit,
        p.year,
        p.dataset,
        p.dept_report_id,
        d.budget_full_year_wan as dept_full_year_wan,
        d.budget_executed_wan as dept_executed_wan,
        d.execution_rate_stated_pct as dept_rate_stated_pct,
        d.execution_rate_computed_pct as dept_rate_computed_pct,
        d.execution_rate_used_pct as dept_rate_pct,
        d.execution_rate_basis as dept_rate_basis,
        l.basic_full_year_wan,
        l.basic_executed_wan,
        l.basic_rate_stated_pct,
        case when l.basic_full_year_wan > 0 then l.basic_executed_wan / l.basic_full_year_wan * 100 end
            as basic_rate_computed_pct,
        l.project_line_full_year_wan,
        l.project_line_executed_wan,
        l.project_line_rate_stated_pct,
        case when l.project_line_full_year_wan > 0
            then l.project_line_executed_wan / l.project_line_full_year_wan * 100
        end as project_line_rate_computed_pct,
        p.n_projects,
        round(p.projects_full_year_wan, 4) as projects_full_year_wan,
        round(p.projects_executed_wan, 4) as projects_executed_wan,
        p.projects_rate_stated_pct,
        p.projects_rate_computed_pct,
        coalesce(p.projects_rate_computed_pct, p.projects_rate_stated_pct) as projects_rate_pct,
        case
            when p.projects_rate_computed_pct is not null then 'computed'
            when p.projects_rate_stated_pct is not null then 'stated'
        end as projects_rate_basis,
        round(l.project_line_full_year_wan - p.projects_full_year_wan, 4) as project_budget_gap_wan
    from projects_pooled p
    left join form_facts d on d.report_id = p.dept_report_id
    left join department_lines l on l.report_id = p.dept_report_id
)

select * from final
order by year desc, unit
