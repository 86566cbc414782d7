-- One row per unit for a year, ranked by a chosen metric, with its rank in the previous year and the change.
-- label: 单位排名：按所选指标排序，含并列名次、上年名次及名次变化
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project],
--   $metric VARCHAR = 'total' [total|recomputed_score|execution_rate|points_lost_share|findings],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (a unit's figures cover all its indicators)
-- columns: year, rank, unit_id, unit, dataset, metric, metric_value, is_higher_better, n_ranked, is_tied,
--   prev_year, prev_rank, prev_metric_value, rank_change, score_basis, dept_report_id, dept_total,
--   dept_stated_total, dept_computed_total, n_projects, projects_mean_total, projects_mean_stated_total,
--   unit_total, unit_stated_total, unit_recomputed_score, unit_computed_total, score_gap, is_score_gap_flagged,
--   grade, recomputed_grade, n_score_forms, n_forms_weight_off, execution_rate_pct, points_lost, weight_scored,
--   points_lost_share_pct, n_findings, n_error_findings
--
-- $year NULL = the latest year with forms in the selection (chosen_year). Units are ranked among all units;
-- $units keeps the rows of those units (their ranks stay the ranks among all). A unit's figures for a year come
-- from its score forms (the unit_years macro, shared with year_over_year): the department form when the unit has
-- one that year, else all its project forms (score_basis 'department' | 'projects_mean'); every figure of a row
-- (score, points lost, findings) comes from those same forms. $kind = 'project' ranks by projects only.
--   total (the default) = unit_total, the score the forms report (填报总分, the official one), else 核算得分 for a
--     form that reports none; the mean over project forms.
--   recomputed_score = unit_recomputed_score, 核算得分 = Σ得分 / Σ分值 × 100 (budget item included); the raw
--     sum unit_computed_total is kept for auditors; score_gap = reported − 核算得分, flagged beyond 0.5.
--   execution_rate_pct = the department form's rate (computed, else stated), else Σ executed / Σ full-year of
--     the project forms.
--   points_lost_share_pct = Σ (weight − score) / Σ weight × 100 over the score forms, budget execution lines
--     included, counting items that have both a weight and a score.
--   findings = the number of validation findings on the score forms.
--   grade = unit_total on the grade_scale view (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差; unrounded, so 89.5 is 良);
--   recomputed_grade (核算后等级) = unit_recomputed_score on the same scale.
--   n_forms_weight_off = the score forms whose weights do not add up to 100.
-- rank 1 is the best: the highest value for total, recomputed_score and execution_rate, the lowest for
-- points_lost_share and findings. Ties share a rank and the next rank is skipped (standard competition
-- ranking, "1224"), so a rank is 1 + the number of units strictly better. Units without a value get no rank
-- and come last. prev_rank is the unit's rank in year − 1 under the same metric and filters;
-- rank_change = prev_rank − rank (positive = moved up); NULL when the unit was not ranked the year before.
with chosen as (
    select chosen_year($dataset, $year, $units, $kind, $scope) as year
),

-- The chosen year and the one before (for the previous rank), every unit.
unit_figures as (
    select u.*
    from unit_years($dataset, $kind, (select year from chosen), $scope) u
),

-- The windows rank narrow rows (unit, year, value); the unit's 30 figures are joined to the ranked rows after.
metric_values as (
    select
        f.unit_id,
        f.year,
        case $metric
            when 'total' then f.unit_total
            when 'recomputed_score' then f.unit_recomputed_score
            when 'execution_rate' then f.execution_rate_pct
            when 'points_lost_share' then f.points_lost_share_pct
            when 'findings' then cast(f.n_findings as double)
        end as metric_value,
        $metric in ('total', 'recomputed_score', 'execution_rate') as is_higher_better
    from unit_figures f
),

ranked as (
    select
        m.*,
        case when m.metric_value is not null then
            rank() over (
                partition by m.year
                order by case when m.is_higher_better then -m.metric_value else m.metric_value end nulls last
            )
        end as rank,
        count(m.metric_value) over (partition by m.year) as n_ranked
    from metric_values m
),

ranked_ties as (
    select
        r.*,
        count(*) over (partition by r.year, r.rank) > 1 and r.rank is not null as is_tied
    from ranked r
    where r.year = (select year from chosen)
),

final as (
    select
        r.year,
        r.rank,
        r.unit_id,
        u.unit,
        u.dataset,
        $metric as metric,
        r.metric_value,
        r.is_higher_better,
        r.n_ranked,
        r.is_tied,
        r.year - 1 as prev_year,
        p.rank as prev_rank,
        p.metric_value as prev_metric_value,
        p.rank - r.rank as rank_change,
        u.score_basis,
        u.dept_report_id,
        u.dept_total,
        u.dept_stated_total,
        u.dept_computed_total,
        u.n_projects,
        u.projects_mean_total,
        u.projects_mean_stated_total,
        u.unit_total,
        u.unit_stated_total,
        u.unit_recomputed_score,
        u.unit_computed_total,
        u.score_gap,
        u.is_score_gap_flagged,
        g.grade,
        gr.grade as recomputed_grade,
        u.n_score_forms,
        u.n_forms_weight_off,
        u.execution_rate_pct,
        u.points_lost,
        u.weight_scored,
        u.points_lost_share_pct,
        u.n_findings,
        u.n_error_findings
    from ranked_ties r
    join unit_figures u on u.unit_id = r.unit_id and u.year = r.year
    left join ranked p on p.unit_id = r.unit_id and p.year = r.year - 1
    left join grade_scale g
        on (g.min_total is null or u.unit_total >= g.min_total)
       and (g.max_total is null or u.unit_total < g.max_total)
    left join grade_scale gr
        on (gr.min_total is null or u.unit_recomputed_score >= gr.min_total)
       and (gr.max_total is null or u.unit_recomputed_score < gr.max_total)
)

select * from final
where $units is null or list_contains(cast($units as varchar[]), unit)
order by rank nulls last, unit
