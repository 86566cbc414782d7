-- One row per source file and stored form (a failed file gives one row with no form): what `jixiao eval` compares.
-- label: 评测：每个文件导入后的表格（年度、单位、预算、总分、指标数）
-- params: $dataset VARCHAR = NULL [real|demo], $path_like VARCHAR = NULL,
--   $scope VARCHAR[] = NULL
-- columns: path, status, error, report_id, source_line, source_ref, kind, year, unit_raw, supervisor, project,
--   project_code, template, budget_initial, budget_full_year, budget_executed, execution_rate_stated_pct,
--   execution_rate_pct, stated_total, n_indicators, confidence
--
-- $dataset: real or demo (generated) files only; $path_like: a LIKE pattern on the file path (NULL = every file). Forms in file order (their first line).
-- $scope (the access scope): only files whose forms are all in it (views.sql sources_in_scope).
with counts as (
    select report_id, count(*) as n_indicators
    from indicators
    group by report_id
),

final as (
    select
        s.path,
        s.status,
        s.error,
        r.report_id,
        r.source_line,
        r.source_ref,
        r.kind,
        r.year,
        r.unit_raw,
        r.supervisor,
        r.project,
        r.project_code,
        r.template,
        r.budget_initial,
        r.budget_full_year,
        r.budget_executed,
        r.execution_rate_stated_pct,
        r.execution_rate_pct,
        r.stated_total,
        coalesce(c.n_indicators, 0) as n_indicators,
        r.confidence
    from sources_in_scope($scope) s
    left join reports r on r.source_id = s.source_id
    left join counts c on c.report_id = r.report_id
    where ($path_like is null or s.path like $path_like)
      and ($dataset is null or (case when coalesce(s.is_synthetic, false) then 'demo' else 'real' end) = $dataset)
)

select * from final
order by path, source_line nulls first, report_id
