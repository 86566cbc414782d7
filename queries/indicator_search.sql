-- One row per distinct indicator name (level3) matching a keyword, with where and when it occurs and how it scored.
-- label: 指标搜索：按名称（含同义词）查找指标，列出出现的单位、年度与得分情况
-- params: $dataset VARCHAR = NULL [real|demo], $keyword VARCHAR = NULL, $year INTEGER = NULL,
--   $units VARCHAR[] = NULL, $kind VARCHAR = NULL [department|project], $level1 VARCHAR = NULL,
--   $scope VARCHAR[] = NULL
-- columns: indicator, is_exact_match, level1s, n_indicators, n_units, n_forms, n_years, first_year, last_year,
--   n_lost_points, n_target_missed, points_lost, mean_score_pct
--
-- Matches the indicator name only (level3; unnamed rows are left out), case-insensitive substring, with the
-- same synonym expansion as low_scoring_indicators (the search_terms macro over keyword_synonyms: 热线 also
-- finds 接通率, 接听率, 12345). $keyword NULL lists every name. Feed a chosen name to indicator_history.
-- points_lost = Σ (weight − score); mean_score_pct = mean of score / weight × 100.
-- Order: the exact name first, then names found in most forms, then by name.
with indicators_in_scope as (
    select *
    from selected_indicators($dataset, $year, $units, $kind, $level1, $scope)
    where level3 is not null
),

names as (
    select distinct level3
    from indicators_in_scope
),

matching_names as (
    select distinct n.level3
    from names n
    join search_terms($keyword) t on position(t.term in lower(n.level3)) > 0
),

final as (
    select
        i.level3 as indicator,
        coalesce(i.level3 = trim(cast($keyword as varchar)), false) as is_exact_match,
        string_agg(distinct coalesce(i.level1, '（未分类）'), '、' order by coalesce(i.level1, '（未分类）')) as level1s,
        count(*) as n_indicators,
        count(distinct i.unit_id) as n_units,
        count(distinct i.report_id) as n_forms,
        count(distinct i.year) as n_years,
        min(i.year) as first_year,
        max(i.year) as last_year,
        count(*) filter (where i.is_lost_points) as n_lost_points,
        count(*) filter (where i.is_target_met = false) as n_target_missed,
        sum(i.points_lost) as points_lost,
        avg(i.score_pct) as mean_score_pct
    from indicators_in_scope i
    where $keyword is null
       or i.level3 in (select level3 from matching_names)
    group by i.level3
)

select * from final
order by is_exact_match desc, n_forms desc, indicator
