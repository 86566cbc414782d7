-- One row per source file that holds forms of the chosen year and units: the files a report's figures come from.
-- label: 数据来源：所选年度与单位的自评表来自哪些文件（文件名、是否示例数据、表格数）
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (a file holds whole forms)
-- columns: source_id, path, file_name, format, dataset, n_forms, n_units, units, first_year, last_year
--
-- $year NULL = every year; $units is a list of unit names (NULL = all units). Only files whose forms are in the
-- database count (a superseded or failed file holds none). dataset: 'demo' for generated files (示例数据), else
-- 'real'. units = the units of the file's forms in scope, '、'-joined in name order.
-- Order: real files first, then file name.
with forms as (
    select *
    from selected_forms($dataset, $year, $units, $kind, $scope)
),

per_file as (
    select
        f.source_id,
        count(*) as n_forms,
        count(distinct f.unit) as n_units,
        string_agg(distinct f.unit, '、' order by f.unit) as units,
        min(f.year) as first_year,
        max(f.year) as last_year
    from forms f
    group by f.source_id
),

final as (
    select
        s.source_id,
        s.path,
        regexp_extract(s.path, '[^/\\]+$') as file_name,
        s.format,
        case when coalesce(s.is_synthetic, false) then 'demo' else 'real' end as dataset,
        p.n_forms,
        p.n_units,
        p.units,
        p.first_year,
        p.last_year
    from per_file p
    join sources s on s.source_id = p.source_id
)

select * from final
order by dataset desc, file_name
