-- One row per file tried (sources), newest first: its status, content hash, whether it is demo data, and how many forms it gave.
-- label: 源文件：每个导入过的文件及其状态、内容指纹与表格数
-- params: $dataset VARCHAR = NULL [real|demo], $status VARCHAR = NULL [ok|failed|superseded],
--   $scope VARCHAR[] = NULL
-- columns: source_id, path, file_name, sha256, format, template, status, error, dataset, n_reports, notes,
--   ingested_at
--
-- dataset: 'demo' for generated demo files (示例数据), else 'real'. file_name is the last part of path.
-- Used by the import page to tell which uploads the database already holds (same sha256).
-- $scope (the access scope): only files whose forms are all in it (views.sql sources_in_scope).
with final as (
    select
        s.source_id,
        s.path,
        regexp_extract(s.path, '[^/\\]+$') as file_name,
        s.sha256,
        s.format,
        s.template,
        s.status,
        s.error,
        case when coalesce(s.is_synthetic, false) then 'demo' else 'real' end as dataset,
        s.n_reports,
        s.notes,
        s.ingested_at
    from sources_in_scope($scope) s
    where ($dataset is null or coalesce(s.is_synthetic, false) = ($dataset = 'demo'))
      and ($status is null or s.status = $status)
)

select * from final
order by ingested_at desc, source_id desc
