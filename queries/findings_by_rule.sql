-- One row per validation rule: how many findings it gave, on how many forms and units, within the filters.
-- label: 核查发现按规则汇总：每条规则的发现数、涉及表格与单位
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $severity VARCHAR = NULL [error|warning|info],
--   $scope VARCHAR[] = NULL
-- ignores: $kind (a unit's findings on forms of every kind), $level1 (findings belong to forms)
-- columns: rule, severity, description, n_findings, n_forms, n_units, share_pct
--
-- share_pct = this rule's findings / all findings in scope × 100. Rules that found nothing are left out.
-- Order: most findings first, then rule.
with findings_in_scope as (
    select fi.finding_id, fi.report_id, fi.rule, fi.severity, f.unit_id
    from findings fi
    join selected_forms($dataset, $year, $units, null, $scope) f on f.report_id = fi.report_id
    where $severity is null or fi.severity = $severity
),

per_rule as (
    select
        rule,
        max(severity) as severity,
        count(*) as n_findings,
        count(distinct report_id) as n_forms,
        count(distinct unit_id) as n_units
    from findings_in_scope
    group by rule
),

final as (
    select
        p.rule,
        p.severity,
        coalesce(r.description, p.rule) as description,
        p.n_findings,
        p.n_forms,
        p.n_units,
        p.n_findings * 100.0 / sum(p.n_findings) over () as share_pct
    from per_rule p
    left join rules r on r.rule = p.rule
)

select * from final
order by n_findings desc, rule
