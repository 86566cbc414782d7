-- Validation rules over several forms (the rules over one form are in validate.py), run by the writer after
-- every load over the whole database (dashboard/load/store.py): it deletes these rules' earlier findings and
-- inserts the new ones in one transaction.
--   project_budget_mismatch: a department form's 项目支出 full-year budget differs (by more than 0.005 万元) from
--     the sum of the full-year budgets of the same unit's project forms that year;
--   copied_note: a deviation note of at least $min_len characters (whitespace ignored) appears word for word in
--     the forms of another unit.
-- params: $start INTEGER (the first finding_id to use), $min_len INTEGER, $sev_budget VARCHAR, $sev_copied VARCHAR
insert into findings (finding_id, report_id, indicator_id, rule, severity, message, source_line, source_ref)
with project_sums as (
    select unit_id, year, sum(budget_full_year) as projects_full_year, count(*) as n_projects
    from reports where kind = 'project' group by all
),

budget_gaps as (
    select d.report_id, b.full_year as dept_project_budget, p.projects_full_year, p.n_projects, b.source_line,
           b.source_ref
    from reports d
    join budget_lines b on b.report_id = d.report_id and b.line = '项目支出'
    join project_sums p on p.unit_id = d.unit_id and p.year = d.year
    where d.kind = 'department' and abs(coalesce(b.full_year, 0) - p.projects_full_year) > 0.005
),

notes as (
    select i.indicator_id, i.report_id, i.source_line, i.source_ref, r.unit_id, regexp_replace(i.note, '\s+', '', 'g') as note_key
    from indicators i join reports r using (report_id)
    where length(i.note) >= $min_len
),

copied as (
    select n.*, count(distinct unit_id) over (partition by note_key) as n_units
    from notes n
),

found as (
    select report_id, null::integer as indicator_id, 'project_budget_mismatch' as rule, $sev_budget as severity,
           '部门整体表“项目支出”全年预算数 ' || coalesce(cast(dept_project_budget as varchar), '空') || ' 万元，同年 '
           || n_projects || ' 张项目表全年预算数合计 ' || cast(round(projects_full_year, 4) as varchar) || ' 万元'
           as message, source_line, source_ref
    from budget_gaps
    union all
    select report_id, indicator_id, 'copied_note', $sev_copied,
           '偏差说明与另外 ' || (n_units - 1) || ' 个单位表格中的说明完全相同', source_line, source_ref
    from copied where n_units > 1
)

select $start + row_number() over (order by rule, report_id, indicator_id) - 1, *
from found
