-- One row per unit × year: the unit's headline figures beside the same figures for year − 1 and the change.
-- label: 年度对比：各单位各年度的主要数字及与上年相比的变化
-- params: $dataset VARCHAR = NULL [real|demo], $units VARCHAR[] = NULL, $kind VARCHAR = NULL [department|project],
--   $year INTEGER = NULL,
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (a unit's figures cover all its indicators)
-- columns: unit_id, unit, year, dataset, n_forms, n_projects, score_basis, unit_total, unit_stated_total,
--   unit_recomputed_score, execution_rate_pct, budget_full_year_wan, points_lost, points_lost_share_pct, n_lost_points, n_findings,
--   prev_year, prev_unit_total, unit_total_change, prev_unit_stated_total, unit_stated_total_change,
--   prev_execution_rate_pct, execution_rate_change_pct, prev_budget_full_year_wan, budget_full_year_change_wan,
--   prev_points_lost_share_pct, points_lost_share_change_pct, prev_n_lost_points, n_lost_points_change,
--   prev_n_findings, n_findings_change
--
-- The unit figures are the unit_years macro's, as department_ranking's (a test pins that they agree):
-- unit_total = the department form's headline score (reported, else 核算得分) when there is one, else the mean of
-- the project forms' (score_basis 'department' | 'projects_mean'); unit_stated_total and unit_recomputed_score
-- (核算得分) likewise; points lost and findings from the same forms; execution_rate_pct = the department form's rate (computed, else stated), else Σ executed / Σ
-- full-year of the projects; points_lost_share_pct = Σ (weight − score) / Σ weight × 100 over those forms,
-- execution lines included. budget_full_year_wan = the department form's full-year budget, else Σ projects'.
-- prev_* are the unit's figures for year − 1 (NULL when it has no forms that year); *_change = this − prev.
-- $year keeps that year's rows (its previous year is still read for prev_*); $units keeps those units' rows.
with unit_figures as (
    select
        unit_id,
        unit,
        year,
        dataset,
        n_forms,
        n_projects,
        score_basis,
        unit_total,
        unit_stated_total,
        unit_recomputed_score,
        execution_rate_pct,
        budget_full_year_wan,
        points_lost,
        points_lost_share_pct,
        n_lost_points,
        n_findings
    from unit_years($dataset, $kind, $year, $scope)
    where $units is null or list_contains(cast($units as varchar[]), unit)
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
