-- One row per unit × year × validation rule: how many findings, on how many forms and indicators.
-- label: 核查发现汇总：按单位、年度与规则统计
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $severity VARCHAR = NULL [error|warning|info], $rule VARCHAR = NULL,
--   $scope VARCHAR[] = NULL
-- ignores: $kind (a unit's findings on forms of every kind), $level1 (findings belong to forms)
-- columns: unit_id, unit, year, rule, severity, description, n_findings, n_forms, n_indicators,
--   share_of_unit_pct, example_message
--
-- share_of_unit_pct = this rule's findings / all the unit's findings that year (within the filters) × 100.
-- Forms without a unit or year (rule missing_metadata) are grouped under unit '（未知单位）'.
-- Order: unit, year, severity (error, warning, info), most findings first.
with findings_in_scope as (
    select
        fi.finding_id,
        fi.report_id,
        fi.indicator_id,
        fi.rule,
        fi.severity,
        fi.message,
        f.unit_id,
        coalesce(f.unit, '（未知单位）') as unit,
        f.year
    from findings fi
    join selected_forms($dataset, $year, $units, null, $scope) f on f.report_id = fi.report_id
    where ($severity is null or fi.severity = $severity)
      and ($rule is null or fi.rule = $rule)
),

per_rule as (
    select
        unit_id,
        unit,
        year,
        rule,
        max(severity) as severity,
        count(*) as n_findings,
        count(distinct report_id) as n_forms,
        count(distinct indicator_id) as n_indicators,
        min(message) as example_message
    from findings_in_scope
    group by unit_id, unit, year, rule
),

final as (
    select
        p.unit_id,
        p.unit,
        p.year,
        p.rule,
        p.severity,
        r.description,
        p.n_findings,
        p.n_forms,
        p.n_indicators,
        p.n_findings * 100.0 / sum(p.n_findings) over (partition by p.unit_id, p.unit, p.year) as share_of_unit_pct,
        p.example_message
    from per_rule p
    left join rules r on r.rule = p.rule
)

select * from final
order by unit, year, case severity when 'error' then 0 when 'warning' then 1 else 2 end, n_findings desc, rule
