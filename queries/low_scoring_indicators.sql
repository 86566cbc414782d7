-- One row per indicator that lost points or whose numeric actual misses its target, most points lost first.
-- label: 低分预警：扣分或未达目标的指标，按扣分从多到少，可按关键词（含同义词）筛选
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $report_id INTEGER = NULL, $project VARCHAR = NULL,
--   $level1 VARCHAR = NULL, $keyword VARCHAR = NULL, $min_points_lost DOUBLE = NULL, $limit INTEGER = NULL,
--   $scope VARCHAR[] = NULL
-- columns: indicator_id, report_id, dataset, unit, year, kind, form, level1, level2, level3, level_path,
--   target_text, target_op, target_value, target_unit, actual_text, actual_value, actual_unit, weight, score,
--   points_lost, score_pct, is_target_met, is_lost_points, is_hotline, status, note, path, source_line,
--   source_ref
--
-- points_lost = weight − score. A row is listed when points_lost > 0 or is_target_met is false (a full score
-- although the numeric actual misses the target is listed with points_lost 0).
-- $keyword matches level3, target_text and note (case-insensitive, substring); a keyword that contains a term
-- of the keyword_synonyms view matches every term of that topic too (the search_terms macro), so 热线, 接通率,
-- 接听率 and 12345 find each other. $min_points_lost keeps rows that lost at least that many points. $project filters project forms by name.
-- Order: points lost (most first), then hotline items (any hotline term in level3, target_text or note) first
-- on ties, then unit, year, form and source line. $limit keeps the first rows only (NULL = all).
-- source_ref is the place in the file as the reader names it (第74行, Sheet1 第3行, 第2页).
with indicators_in_scope as (
    select i.*
    from selected_indicators($dataset, $year, $units, $kind, $level1, $scope) i
    where (i.is_lost_points or i.is_target_met = false)
      and ($report_id is null or i.report_id = $report_id)
      and ($project is null or i.project = $project)
      and ($min_points_lost is null or i.points_lost >= $min_points_lost)
),

-- A term without letters that have case (Chinese, digits) is matched as is; only others lower-case the text.
keyword_matches as (
    select distinct i.indicator_id
    from indicators_in_scope i
    join search_terms($keyword) t
      on case when t.term = upper(t.term)
              then position(t.term in coalesce(i.level3, '')) > 0
                   or position(t.term in coalesce(i.target_text, '')) > 0
                   or position(t.term in coalesce(i.note, '')) > 0
              else position(t.term in lower(coalesce(i.level3, ''))) > 0
                   or position(t.term in lower(coalesce(i.target_text, ''))) > 0
                   or position(t.term in lower(coalesce(i.note, ''))) > 0
         end
),

final as (
    select
        i.indicator_id,
        i.report_id,
        i.dataset,
        i.unit,
        i.year,
        i.kind,
        i.form,
        i.level1,
        i.level2,
        i.level3,
        concat_ws(' › ', i.level1, i.level2, i.indicator) as level_path,
        i.target_text,
        i.target_op,
        i.target_value,
        i.target_unit,
        i.actual_text,
        i.actual_value,
        i.actual_unit,
        i.weight,
        i.score,
        i.points_lost,
        i.score_pct,
        i.is_target_met,
        i.is_lost_points,
        h.indicator_id is not null as is_hotline,
        i.status,
        i.note,
        i.path,
        i.source_line,
        i.source_ref
    from indicators_in_scope i
    left join hotline_indicators h on h.indicator_id = i.indicator_id
    where $keyword is null
       or i.indicator_id in (select indicator_id from keyword_matches)
)

select * from final
order by points_lost desc nulls last, is_hotline desc, unit, year, form, source_line
limit $limit
