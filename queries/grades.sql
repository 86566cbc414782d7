-- One row per form: its grade (优/良/中/差) on the stated total and on 核算得分, and whether recomputing changes it.
-- label: 等级：每张表按填报总分与核算得分评定的优/良/中/差，及核算后等级变化
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $changed_only BOOLEAN = false,
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (a grade belongs to a whole form)
-- columns: report_id, dataset, unit, year, kind, form, stated_total, stated_grade, computed_total,
--   recomputed_score, computed_grade, is_grade_changed, grade_change, grade, total_basis, path, source_line, source_ref
--
-- Grades come from the grade_scale view: the Ministry of Finance bands 优 90–100, 良 80–89, 中 60–79, 差 0–59,
-- applied to the unrounded total with half-open bands (≥ 90 优, ≥ 80 良, ≥ 60 中, else 差; 89.5 is 良, a total
-- above 100 is 优). is_grade_changed: both totals exist and their grades differ; grade_change reads e.g. '良→优'
-- (stated → 核算后等级, computed_grade is the grade of recomputed_score = Σ得分 / Σ分值 × 100; computed_total is
-- the raw Σ得分). grade is the grade of the headline score (reported, else 核算得分: total_basis).
-- $changed_only = true keeps only the forms whose grade changes. The distribution per year is grade_distribution.
with final as (
    select
        f.report_id,
        f.dataset,
        f.unit,
        f.year,
        f.kind,
        f.form,
        f.stated_total,
        f.stated_grade,
        f.computed_total,
        f.recomputed_score,
        f.computed_grade,
        coalesce(f.stated_grade <> f.computed_grade, false) as is_grade_changed,
        case when f.stated_grade <> f.computed_grade then f.stated_grade || '→' || f.computed_grade end
            as grade_change,
        f.grade,
        f.total_basis,
        f.path,
        f.source_line,
        f.source_ref
    from selected_forms($dataset, $year, $units, $kind, $scope) f
    where (not $changed_only or coalesce(f.stated_grade <> f.computed_grade, false))
)

select * from final
order by year desc, unit, kind, form
