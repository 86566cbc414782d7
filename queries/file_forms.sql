-- One row per form stored from the given files: its unit, year, totals, grade, points lost and findings.
-- label: 文件中的自评表：指定文件导入的每张自评表及其总分、等级、扣分与核查发现（数据导入页的预览）
-- params: $paths VARCHAR[], $dataset VARCHAR = NULL [real|demo],
--   $scope VARCHAR[] = NULL
-- columns: report_id, path, file_name, dataset, unit, year, kind, kind_label, form, n_indicators, weight_total,
--   stated_total, computed_total, recomputed_score, score_gap, total_gap, grade, stated_grade, computed_grade, execution_rate_pct,
--   n_lost_points, points_lost, n_findings, n_error_findings
--
-- $paths are source paths as stored (sources.path). Totals and grades are form_facts'; points lost, items that
-- lost points and findings are form_points' (budget execution line included, findings over several forms
-- included). The import page runs it on the staged copy, so it shows what committing would store.
-- Order: file, then the form's place in it.
with forms as (
    select *
    from selected_forms($dataset, null, null, null, $scope)
    where list_contains(cast($paths as varchar[]), path)
),

indicator_counts as (
    select i.report_id, count(*) as n_indicators
    from indicators i
    join forms f on f.report_id = i.report_id
    group by i.report_id
),

final as (
    select
        f.report_id,
        f.path,
        regexp_extract(f.path, '[^/\\]+$') as file_name,
        f.dataset,
        f.unit,
        f.year,
        f.kind,
        f.kind_label,
        f.form,
        coalesce(c.n_indicators, 0) as n_indicators,
        f.weight_total,
        f.stated_total,
        f.computed_total,
        f.recomputed_score,
        f.score_gap,
        f.total_gap,
        f.grade,
        f.stated_grade,
        f.computed_grade,
        f.execution_rate_used_pct as execution_rate_pct,
        p.n_lost_points,
        p.points_lost,
        p.n_findings,
        p.n_error_findings
    from forms f
    join form_points p on p.report_id = f.report_id
    left join indicator_counts c on c.report_id = f.report_id
)

select * from final
order by path, report_id
