-- One row per year × basis (stated | computed) × grade: how many forms fall in each grade, all four grades always listed.
-- label: 等级分布：各年度优/良/中/差的表格数量（填报与核算）
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (a grade belongs to a whole form)
-- columns: year, basis, grade, grade_rank, n_forms, n_graded, share_pct
--
-- basis 'stated' grades stated_total (the reported score), 'computed' grades 核算得分 = Σ得分 / Σ分值 × 100
-- (form_facts.computed_grade, the 核算后等级; grade_scale view: ≥ 90 优, ≥ 80 良,
-- ≥ 60 中, else 差, unrounded). n_graded = forms of that year with that total (Σ n_forms over the four grades);
-- share_pct = n_forms / n_graded × 100. Forms without a year are left out.
with forms as (
    select *
    from selected_forms($dataset, $year, $units, $kind, $scope)
    where year is not null
),

graded as (
    select year, 'stated' as basis, stated_grade as grade
    from forms
    where stated_grade is not null

    union all

    select year, 'computed' as basis, computed_grade as grade
    from forms
    where computed_grade is not null
),

grid as (
    select y.year, b.basis, g.grade, g.grade_rank
    from (select distinct year from forms) as y
    cross join (values ('stated'), ('computed')) as b (basis)
    cross join grade_scale g
),

counts as (
    select year, basis, grade, count(*) as n_forms
    from graded
    group by year, basis, grade
),

final as (
    select
        g.year,
        g.basis,
        g.grade,
        g.grade_rank,
        coalesce(c.n_forms, 0) as n_forms,
        cast(sum(coalesce(c.n_forms, 0)) over (partition by g.year, g.basis) as bigint) as n_graded,
        case when sum(coalesce(c.n_forms, 0)) over (partition by g.year, g.basis) > 0
            then coalesce(c.n_forms, 0) * 100.0 / sum(coalesce(c.n_forms, 0)) over (partition by g.year, g.basis)
        end as share_pct
    from grid g
    left join counts c on c.year = g.year and c.basis = g.basis and c.grade = g.grade
)

select * from final
order by year desc, basis desc, grade_rank
