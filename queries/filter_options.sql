-- One row per value a sidebar filter can take (years, units, kinds, level-1 classes, datasets, rules), with how many forms have it.
-- label: 筛选项：可选的年度、单位、类型、一级指标、数据集与核查规则
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL,
--   $scope VARCHAR[] = NULL
-- columns: dimension, value, label, n_forms, sort_key
--
-- dimension: year | latest_year | unit | kind | level1 | dataset | rule. latest_year is the one row of
-- chosen_year($dataset, NULL, …, $scope): the year every page opens on (the same rule the queries use for $year NULL). value is text (a year as '2022'); label is what to
-- show (kinds as 部门整体 / 项目, datasets as 真实数据 / 示例数据, rules by their description). $dataset narrows
-- every dimension but dataset itself; $year narrows every dimension but year and dataset, so the unit list
-- can follow the chosen year. $scope (the access scope) narrows every dimension. Order: dimension, then sort_key (years newest first, the rest by label).
with forms as (
    select *
    from selected_forms($dataset, null, null, null, $scope)
),

forms_in_year as (
    select *
    from forms
    where $year is null or year = $year
),

options as (
    select 'year' as dimension, cast(year as varchar) as value, cast(year as varchar) as label,
           count(*) as n_forms, -year as sort_key
    from forms
    where year is not null
    group by year

    union all

    select 'latest_year', cast(y as varchar), cast(y as varchar), null, null
    from (select chosen_year($dataset, null, null, null, $scope) as y)
    where y is not null

    union all

    select 'unit', unit, unit, count(*), null
    from forms_in_year
    where unit is not null
    group by unit

    union all

    select 'kind', kind, max(kind_label), count(*), case kind when 'department' then 0 else 1 end
    from forms_in_year
    where kind is not null
    group by kind

    union all

    select 'level1', i.level1, i.level1, count(distinct i.report_id), null
    from indicators i
    join forms_in_year f on f.report_id = i.report_id
    where i.level1 is not null
    group by i.level1

    union all

    select 'dataset', dataset, case dataset when 'demo' then '示例数据' else '真实数据' end, count(*),
           case dataset when 'real' then 0 else 1 end
    from selected_forms(null, null, null, null, $scope)
    group by dataset

    union all

    select 'rule', fi.rule, coalesce(max(r.description), fi.rule), count(distinct fi.report_id), null
    from findings fi
    join forms_in_year f on f.report_id = fi.report_id
    left join rules r on r.rule = fi.rule
    group by fi.rule
),

final as (
    select *
    from options
)

select * from final
order by case dimension when 'year' then 0 when 'latest_year' then 1 when 'unit' then 2 when 'kind' then 3
                       when 'level1' then 4 when 'dataset' then 5 else 6 end,
         sort_key nulls last, label
