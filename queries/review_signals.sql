-- One row per review signal that fired in the selection: the form, the indicator or budget line that triggered it, its source line.
-- label: 复核信号：每条触发的复核规则及触发它的指标、预算行与原表行号
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $vague_words VARCHAR[] = NULL, $empty_notes VARCHAR[] = NULL,
--   $similar_ids INTEGER[] = NULL, $similar_groups INTEGER[] = NULL, $signal VARCHAR = NULL,
--   $report_id INTEGER = NULL,
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (the signals judge whole forms: a form-level rule needs all its indicators)
-- columns: signal, signal_group, group_label, signal_label, signal_seq, report_id, dataset, unit_id, unit, year,
--   kind, form, indicator_id, indicator, indicator_seq, budget_line, figure, detail, path, source_line,
--   source_ref
--
-- The rules are the rows of the review_rules view (dashboard/sql/review_rules.sql), computed by the macro
-- review_signal_rows (dashboard/sql/review_signals.sql) per indicator, budget line or form. figure is the
-- number the rule looked at (points above the scoring rule, the actual ÷ target multiple, the other units
-- sharing a note …); detail says in Chinese what was seen. $vague_words / $empty_notes are the word lists of dashboard/review/vague_words.toml and
-- $similar_ids / $similar_groups the near-duplicate note groups of dashboard/review/notes.py (parallel lists);
-- without them their signals do not fire. $signal keeps one rule, $report_id one form.
-- Order: unit, year, form, then the rule's order and the indicator's place in the form.
with final as (
    select *
    from review_signal_rows(
        $dataset, $year, $units, $kind, $vague_words, $empty_notes, $similar_ids, $similar_groups, $scope
    )
    where ($signal is null or signal = $signal)
      and ($report_id is null or report_id = $report_id)
)

select * from final
order by unit, year, report_id, signal_seq, indicator_seq nulls first, budget_line nulls first, source_line
