-- One row per finding, with the unit, year, form and source file it points to; errors first.
-- label: 核查发现明细：每条发现及其单位、表格与源文件位置
-- params: $rule VARCHAR = NULL, $units VARCHAR[] = NULL, $year INTEGER = NULL, $dataset VARCHAR = NULL [real|demo],
--   $severity VARCHAR = NULL [error|warning|info], $report_id INTEGER = NULL, $limit INTEGER = NULL,
--   $scope VARCHAR[] = NULL
-- ignores: $kind (a unit's findings on forms of every kind), $level1 (findings belong to forms)
-- columns: finding_id, unit, year, kind, form, rule, severity, description, message, indicator, path, source_line,
--   report_id, indicator_id, source_ref
with forms as (
    select report_id, unit, year, kind, form, path
    from selected_forms($dataset, $year, $units, null, $scope)
),

final as (
    select
        f.finding_id, fo.unit, fo.year, fo.kind, fo.form, f.rule, f.severity, ru.description, f.message,
        i.level3 as indicator, fo.path, f.source_line, f.report_id, f.indicator_id, f.source_ref
    from findings f
    join forms fo using (report_id)
    left join indicators i using (indicator_id)
    left join rules ru using (rule)
    where ($rule is null or f.rule = $rule)
      and ($severity is null or f.severity = $severity)
      and ($report_id is null or f.report_id = $report_id)
)

select * from final
order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, unit, year, report_id, source_line
limit $limit
