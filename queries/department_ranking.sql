-- One row per unit for a year, ranked by a chosen metric, with its rank in the previous year and the change.
-- label: 单位排名：按所选指标排序，含并列名次、上年名次及名次变化
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $kind VARCHAR = NULL [department|project],
--   $metric VARCHAR = 'computed_total' [computed_total|stated_total|execution_rate|points_lost_share|findings]
-- columns: year, rank, unit_id, unit, dataset, metric, metric_value, is_higher_better, n_ranked, is_tied,
--   prev_year, prev_rank, prev_metric_value, rank_change, score_basis, dept_report_id, dept_total,
--   dept_stated_total, dept_computed_total, n_projects, projects_mean_total, projects_mean_stated_total,
--   unit_total, unit_stated_total, grade, n_forms_weight_off, execution_rate_pct, points_lost, weight_scored,
--   points_lost_share_pct, n_findings, n_error_findings
--
-- $year NULL = the latest year in the filtered data. A unit's figures for a year come from its forms:
--   unit_total (metric computed_total) = the department form's total (computed, else stated) when the unit has a
--     department form that year, else the mean of its project forms' totals (each computed, else stated);
--     score_basis says which: 'department' | 'projects_mean'. The department form and the project means are
--     also returned on their own (dept_total, projects_mean_total). $kind = 'project' ranks by projects only.
--   unit_stated_total (stated_total) = the same rule on stated totals only.
--   execution_rate_pct = the department form's rate (computed, else stated), else Σ executed / Σ full-year of
--     the project forms.
--   points_lost_share_pct = Σ (weight − score) / Σ weight × 100 over all the unit's forms that year, budget
--     execution lines included, counting items that have both a weight and a score.
--   findings = the number of validation findings on the unit's forms that year.
--   grade = unit_total on the grade_scale view (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差; unrounded, so 89.5 is 良).
--   n_forms_weight_off = the unit's forms whose weights do not add up to 100: their totals (which may exceed
--   100) are not on the 100-point scale, so a high computed_total rank may be an artefact;
--   points_lost_share is the weight-normalised view.
-- rank 1 is the best: the highest value for computed_total, stated_total and execution_rate, the lowest for
-- points_lost_share and findings. Ties share a rank and the next rank is skipped (standard competition
-- ranking, "1224"), so a rank is 1 + the number of units strictly better. Units without a value get no rank
-- and come last. prev_rank is the unit's rank in year − 1 under the same metric and filters;
-- rank_change = prev_rank − rank (positive = moved up); NULL when the unit was not ranked the year before.
with forms_any_year as (
    select *
    from form_facts
    where unit_id is not null
      and year is not null
      and ($dataset is null or dataset = $dataset)
      and ($kind is null or kind = $kind)
),

chosen_year as (
    select coalesce($year, max(year)) as year
    from forms_any_year
),

-- Only the chosen year and the one before are aggregated.
forms as (
    select f.*
    from forms_any_year f
    join chosen_year c on f.year = c.year or f.year = c.year - 1
),

indicator_points as (
    select
        i.report_id,
        sum(i.points_lost) as points_lost,
        sum(i.weight) filter (where i.points_lost is not null) as weight_scored
    from indicator_facts i
    join forms f on f.report_id = i.report_id
    group by i.report_id
),

finding_counts as (
    select
        fi.report_id,
        count(*) as n_findings,
        count(*) filter (where fi.severity = 'error') as n_error_findings
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
        coalesce(c.n_findings, 0) as form_findings,
        coalesce(c.n_error_findings, 0) as form_error_findings,
        case when abs(f.weight_total - 100) > 0.005 then 1 else 0 end as form_weight_off
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
        max(report_id) filter (where kind = 'department') as dept_report_id,
        max(total_used) filter (where kind = 'department') as dept_total,
        max(stated_total) filter (where kind = 'department') as dept_stated_total,
        max(computed_total) filter (where kind = 'department') as dept_computed_total,
        max(execution_rate_used_pct) filter (where kind = 'department') as dept_execution_rate_pct,
        count(*) filter (where kind = 'project') as n_projects,
        avg(total_used) filter (where kind = 'project') as projects_mean_total,
        avg(stated_total) filter (where kind = 'project') as projects_mean_stated_total,
        sum(budget_executed_wan) filter (
            where kind = 'project' and budget_full_year_wan is not null
        ) as projects_executed_wan,
        sum(budget_full_year_wan) filter (
            where kind = 'project' and budget_executed_wan is not null
        ) as projects_full_year_wan,
        avg(execution_rate_stated_pct) filter (where kind = 'project') as projects_stated_rate_pct,
        sum(form_points_lost) as points_lost,
        sum(form_weight_scored) as weight_scored,
        cast(sum(form_weight_off) as bigint) as n_forms_weight_off,
        cast(sum(form_findings) as bigint) as n_findings,
        cast(sum(form_error_findings) as bigint) as n_error_findings
    from form_points
    group by unit_id, year
),

unit_figures as (
    select
        u.*,
        coalesce(u.dept_total, u.projects_mean_total) as unit_total,
        coalesce(u.dept_stated_total, u.projects_mean_stated_total) as unit_stated_total,
        case when u.dept_total is not null then 'department'
             when u.projects_mean_total is not null then 'projects_mean' end as score_basis,
        coalesce(
            u.dept_execution_rate_pct,
            case when u.projects_full_year_wan > 0 then u.projects_executed_wan / u.projects_full_year_wan * 100 end,
            u.projects_stated_rate_pct
        ) as execution_rate_pct,
        case when u.weight_scored > 0 then u.points_lost / u.weight_scored * 100 end as points_lost_share_pct
    from unit_years u
),

metric_values as (
    select
        f.*,
        case $metric
            when 'computed_total' then f.unit_total
            when 'stated_total' then f.unit_stated_total
            when 'execution_rate' then f.execution_rate_pct
            when 'points_lost_share' then f.points_lost_share_pct
            when 'findings' then cast(f.n_findings as double)
        end as metric_value,
        $metric in ('computed_total', 'stated_total', 'execution_rate') as is_higher_better
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
),

final as (
    select
        r.year,
        r.rank,
        r.unit_id,
        r.unit,
        r.dataset,
        $metric as metric,
        r.metric_value,
        r.is_higher_better,
        r.n_ranked,
        r.is_tied,
        r.year - 1 as prev_year,
        p.rank as prev_rank,
        p.metric_value as prev_metric_value,
        p.rank - r.rank as rank_change,
        r.score_basis,
        r.dept_report_id,
        r.dept_total,
        r.dept_stated_total,
        r.dept_computed_total,
        r.n_projects,
        r.projects_mean_total,
        r.projects_mean_stated_total,
        r.unit_total,
        r.unit_stated_total,
        g.grade,
        r.n_forms_weight_off,
        r.execution_rate_pct,
        r.points_lost,
        r.weight_scored,
        r.points_lost_share_pct,
        r.n_findings,
        r.n_error_findings
    from ranked_ties r
    join chosen_year y on y.year = r.year
    left join ranked p on p.unit_id = r.unit_id and p.year = r.year - 1
    left join grade_scale g
        on (g.min_total is null or r.unit_total >= g.min_total)
       and (g.max_total is null or r.unit_total < g.max_total)
)

select * from final
order by rank nulls last, unit
