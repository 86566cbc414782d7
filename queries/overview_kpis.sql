-- One row per headline figure (KPI) for a year, beside the same figure for the previous year and the change.
-- label: 总览指标：所选年度的主要数字及与上年相比的变化
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (headline figures cover whole forms)
-- columns: year, prev_year, kpi, label, value_unit, value, prev_value, delta, is_higher_better, sort_key
--
-- $year NULL = the latest year with forms in the selection (chosen_year); prev_year = year − 1 (prev_value
-- NULL when it has no forms, delta NULL then). $units (NULL = all) narrows every figure to those units.
-- Figures, over the forms of the year (the year_stats macro, shared with selection_summary):
--   n_units, n_forms, n_department_forms, n_project_forms;
--   mean_total = mean headline score (the reported total 填报总分, else 核算得分 for a form without one),
--   mean_stated_total, mean_recomputed_score = mean 核算得分 (Σ得分 / Σ分值 × 100),
--   n_score_gap_flagged = forms whose reported score and 核算得分 differ by more than 0.5,
--   n_forms_without_stated = forms scored by 核算得分 for want of a reported total;
--   mean_execution_rate_pct = mean form execution rate (computed, else stated);
--   n_indicators, n_lost_points (indicators with weight − score > 0), points_lost = Σ (weight − score),
--   n_target_missed (numeric actual misses its target);
--   n_findings, n_error_findings;
--   n_grade_excellent / n_grade_good / n_grade_fair / n_grade_poor = forms graded 优 / 良 / 中 / 差 on the total
--   used (grade_scale view), n_grade_changed = forms whose 核算后等级 differs from the reported grade.
-- All values are DOUBLE so one column holds them; is_higher_better tells how to colour the delta.
with chosen as (
    select chosen_year($dataset, $year, $units, $kind, $scope) as year
),

year_stats as (
    select *
    from year_stats($dataset, $year, $units, $kind, $scope)
),

kpis as (
    select *
    from (values
        ('n_units', '单位数', '个', true, 1),
        ('n_forms', '自评表数', '张', true, 2),
        ('n_department_forms', '部门整体自评表', '张', true, 3),
        ('n_project_forms', '项目自评表', '张', true, 4),
        ('mean_total', '平均自评得分', '分', true, 5),
        ('mean_stated_total', '平均填报总分', '分', true, 6),
        ('mean_recomputed_score', '平均核算得分', '分', true, 19),
        ('n_score_gap_flagged', '核算差异超0.5分', '张', false, 20),
        ('n_forms_without_stated', '未填报总分（按核算得分）', '张', false, 21),
        ('mean_execution_rate_pct', '平均预算执行率', '%', true, 7),
        ('n_indicators', '指标数', '个', true, 8),
        ('n_lost_points', '扣分指标', '个', false, 9),
        ('points_lost', '扣分合计', '分', false, 10),
        ('n_target_missed', '未达目标指标', '个', false, 11),
        ('n_findings', '核查发现', '条', false, 12),
        ('n_error_findings', '错误级核查发现', '条', false, 13),
        ('n_grade_excellent', '优（90分及以上）', '张', true, 14),
        ('n_grade_good', '良（80–90分）', '张', true, 15),
        ('n_grade_fair', '中（60–80分）', '张', false, 16),
        ('n_grade_poor', '差（60分以下）', '张', false, 17),
        ('n_grade_changed', '核算后等级变化', '张', false, 18)
    ) as t (kpi, label, value_unit, is_higher_better, sort_key)
),

values_by_kpi as (
    select
        c.year,
        c.year - 1 as prev_year,
        p.kpi,
        p.label,
        p.value_unit,
        p.is_higher_better,
        p.sort_key,
        case p.kpi
            when 'n_units' then cur.n_units
            when 'n_forms' then cur.n_forms
            when 'n_department_forms' then cur.n_department_forms
            when 'n_project_forms' then cur.n_project_forms
            when 'mean_total' then cur.mean_total
            when 'mean_stated_total' then cur.mean_stated_total
            when 'mean_recomputed_score' then cur.mean_recomputed_score
            when 'n_score_gap_flagged' then cur.n_score_gap_flagged
            when 'n_forms_without_stated' then cur.n_forms_without_stated
            when 'mean_execution_rate_pct' then cur.mean_execution_rate_pct
            when 'n_indicators' then cur.n_indicators
            when 'n_lost_points' then cur.n_lost_points
            when 'points_lost' then cur.points_lost
            when 'n_target_missed' then cur.n_target_missed
            when 'n_findings' then cur.n_findings
            when 'n_error_findings' then cur.n_error_findings
            when 'n_grade_excellent' then cur.n_grade_excellent
            when 'n_grade_good' then cur.n_grade_good
            when 'n_grade_fair' then cur.n_grade_fair
            when 'n_grade_poor' then cur.n_grade_poor
            when 'n_grade_changed' then cur.n_grade_changed
        end as value,
        case p.kpi
            when 'n_units' then prev.n_units
            when 'n_forms' then prev.n_forms
            when 'n_department_forms' then prev.n_department_forms
            when 'n_project_forms' then prev.n_project_forms
            when 'mean_total' then prev.mean_total
            when 'mean_stated_total' then prev.mean_stated_total
            when 'mean_recomputed_score' then prev.mean_recomputed_score
            when 'n_score_gap_flagged' then prev.n_score_gap_flagged
            when 'n_forms_without_stated' then prev.n_forms_without_stated
            when 'mean_execution_rate_pct' then prev.mean_execution_rate_pct
            when 'n_indicators' then prev.n_indicators
            when 'n_lost_points' then prev.n_lost_points
            when 'points_lost' then prev.points_lost
            when 'n_target_missed' then prev.n_target_missed
            when 'n_findings' then prev.n_findings
            when 'n_error_findings' then prev.n_error_findings
            when 'n_grade_excellent' then prev.n_grade_excellent
            when 'n_grade_good' then prev.n_grade_good
            when 'n_grade_fair' then prev.n_grade_fair
            when 'n_grade_poor' then prev.n_grade_poor
            when 'n_grade_changed' then prev.n_grade_changed
        end as prev_value
    from chosen c
    cross join kpis p
    left join year_stats cur on cur.year = c.year
    left join year_stats prev on prev.year = c.year - 1
    where c.year is not null
),

final as (
    select
        year,
        prev_year,
        kpi,
        label,
        value_unit,
        cast(value as double) as value,
        cast(prev_value as double) as prev_value,
        cast(value as double) - cast(prev_value as double) as delta,
        is_higher_better,
        sort_key
    from values_by_kpi
)

select * from final
order by sort_key
