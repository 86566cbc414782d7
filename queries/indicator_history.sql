-- One row per occurrence of one named indicator (unit × year × form), with the change since its previous occurrence.
-- label: 指标历年对比：同一指标在各单位、各年度的目标、实际、得分及变化
-- params: $indicator VARCHAR, $dataset VARCHAR = NULL [real|demo], $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project],
--   $scope VARCHAR[] = NULL
-- ignores: $year (a history runs across years), $level1 (one named indicator)
-- columns: indicator_id, report_id, dataset, unit_id, unit, year, kind, form, level1, level2, indicator,
--   target_text, target_value, target_unit, actual_text, actual_value, actual_unit, weight, score, points_lost,
--   score_pct, is_target_met, status, prev_year, prev_actual_value, actual_value_change, prev_score_pct,
--   score_pct_change, note, path, source_line, source_ref
--
-- $indicator is matched exactly against level3 (take it from indicator_search). A series is one unit's indicator in
-- the same kind of form and the same project (the department form counts as one project); prev_* come from
-- the series' previous occurrence (usually year − 1; prev_year says which). Changes are this − previous.
with occurrences as (
    select *
    from selected_indicators($dataset, null, $units, $kind, null, $scope)
    where level3 = $indicator
      and year is not null
),

series as (
    select
        o.*,
        lag(o.year) over w as prev_year,
        lag(o.actual_value) over w as prev_actual_value,
        lag(o.score_pct) over w as prev_score_pct
    from occurrences o
    window w as (partition by o.unit_id, o.kind, coalesce(o.project, ''), o.level3 order by o.year, o.seq)
),

final as (
    select
        indicator_id,
        report_id,
        dataset,
        unit_id,
        unit,
        year,
        kind,
        form,
        level1,
        level2,
        indicator,
        target_text,
        target_value,
        target_unit,
        actual_text,
        actual_value,
        actual_unit,
        weight,
        score,
        points_lost,
        score_pct,
        is_target_met,
        status,
        prev_year,
        prev_actual_value,
        actual_value - prev_actual_value as actual_value_change,
        prev_score_pct,
        score_pct - prev_score_pct as score_pct_change,
        note,
        path,
        source_line,
        source_ref
    from series
)

select * from final
order by unit, form, year, source_line
