-- One row per form: the stated total beside the recomputed one (execution score + Σ indicator scores), largest gap first.
-- label: 总分核对：每张表的填报总分与重新计算总分之差
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $min_abs_gap DOUBLE = NULL,
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (totals belong to whole forms)
-- columns: report_id, dataset, unit, year, kind, form, stated_total, computed_total, total_gap, abs_total_gap,
--   recomputed_score, score_gap, is_score_gap_flagged, total_used, total_basis, weight_total, stated_weight_total, weight_gap, stated_grade, computed_grade,
--   is_grade_changed, path, source_line, source_ref
--
-- total_gap = stated_total − computed_total (negative: the form states less than its own scores add up to);
-- NULL when either is missing. recomputed_score = 核算得分 (Σ得分 / Σ分值 × 100), score_gap = stated_total −
-- recomputed_score (flagged beyond 0.5); computed_grade is the 核算后等级. total_used / total_basis: the headline
-- score (reported, else 核算得分) and which one it is. weight_gap =
-- stated_weight_total − weight_total. $min_abs_gap keeps forms whose |gap| is at least that many points.
-- Order: largest |gap| first, forms without a gap last.
with final as (
    select
        report_id,
        dataset,
        unit,
        year,
        kind,
        form,
        stated_total,
        computed_total,
        total_gap,
        abs(total_gap) as abs_total_gap,
        recomputed_score,
        score_gap,
        is_score_gap_flagged,
        total_used,
        total_basis,
        weight_total,
        stated_weight_total,
        stated_weight_total - weight_total as weight_gap,
        stated_grade,
        computed_grade,
        stated_grade <> computed_grade as is_grade_changed,
        path,
        source_line,
        source_ref
    from selected_forms($dataset, $year, $units, $kind, $scope)
    where ($min_abs_gap is null or abs(total_gap) >= $min_abs_gap)
)

select * from final
order by abs_total_gap desc nulls last, unit, year, report_id
