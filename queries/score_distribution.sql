-- One row per group × histogram bin of indicator score/weight (%) or of form totals, with the group's quantiles.
-- label: 得分分布：按一级指标、单位、年度或类型分组的直方图与分位数（指标得分率或总分）
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $level1 VARCHAR = NULL,
--   $measure VARCHAR = 'score_pct' [score_pct|total|stated_total|recomputed_score|computed_total],
--   $group_by VARCHAR = 'level1' [level1|unit|year|kind|all], $bins INTEGER = 10,
--   $scope VARCHAR[] = NULL
-- columns: measure, group_by, group_value, bin_index, bin_lower, bin_upper, bin_label, n_in_bin, n_in_group,
--   min_value, p25_value, median_value, p75_value, max_value, mean_value, n_below_full, below_full_share_pct,
--   p10_value
--
-- measure: score_pct = an indicator's score / weight × 100 (indicators with a weight > 0 and a score);
-- total = a form's headline score, reported where it exists else 核算得分 (form_facts.total_used); stated_total
-- as written; recomputed_score = 核算得分 (Σ得分 / Σ分值 × 100); computed_total = the raw Σ得分. Totals belong to forms, not to a level-1 class: with
-- $group_by = 'level1' they fall in one group '（全部）' and $level1 does not filter them.
-- Bins split 0–100 into $bins equal bins, the last one closed ([90, 100] for 10 bins, so full marks count in
-- it); values below 0 go to bin −1 '＜0' and above 100 (weights adding up to more than 100) to bin $bins
-- '＞100'; those two appear only when they hold values, the regular bins always (zeros included), so
-- Σ n_in_bin over a group = n_in_group. Quantiles are continuous (percentile_cont). Most indicators score full
-- marks, so the quartiles are often all 100: n_below_full (values below 100 by more than points_epsilon()),
-- below_full_share_pct (their share × 100) and p10_value (the 10th percentile) show the spread.
with values_scored as (
    select
        i.score_pct as value,
        coalesce(i.level1, '（未分类）') as level1,
        i.unit,
        i.year,
        i.kind_label
    from selected_indicators($dataset, $year, $units, $kind, $level1, $scope) i
    where $measure = 'score_pct'
      and i.score_pct is not null

    union all

    select
        case $measure
            when 'total' then f.total_used
            when 'stated_total' then f.stated_total
            when 'recomputed_score' then f.recomputed_score
            when 'computed_total' then f.computed_total
        end as value,
        '（全部）' as level1,
        f.unit,
        f.year,
        f.kind_label
    from selected_forms($dataset, $year, $units, $kind, $scope) f
    where $measure in ('total', 'stated_total', 'recomputed_score', 'computed_total')
),

grouped as (
    select
        value,
        case $group_by
            when 'level1' then level1
            when 'unit' then coalesce(unit, '（未知单位）')
            when 'year' then coalesce(cast(year as varchar), '（未知年度）')
            when 'kind' then kind_label
            else '（全部）'
        end as group_value,
        case
            when value < 0 then -1
            when value > 100 then greatest($bins, 1)
            when value = 100 then greatest($bins, 1) - 1
            else cast(floor(value / (100.0 / greatest($bins, 1))) as integer)
        end as bin_index
    from values_scored
    where value is not null
),

group_stats as (
    select
        group_value,
        count(*) as n_in_group,
        min(value) as min_value,
        percentile_cont(0.25) within group (order by value) as p25_value,
        percentile_cont(0.5) within group (order by value) as median_value,
        percentile_cont(0.75) within group (order by value) as p75_value,
        max(value) as max_value,
        avg(value) as mean_value,
        count(*) filter (where value < 100 - points_epsilon()) as n_below_full,
        count(*) filter (where value < 100 - points_epsilon()) * 100.0 / count(*) as below_full_share_pct,
        percentile_cont(0.1) within group (order by value) as p10_value
    from grouped
    group by group_value
),

bin_counts as (
    select group_value, bin_index, count(*) as n_in_bin
    from grouped
    group by group_value, bin_index
),

regular_bins as (
    select cast(b.bin_index as integer) as bin_index
    from generate_series(0, greatest($bins, 1) - 1) as b (bin_index)
),

bin_grid as (
    select g.group_value, r.bin_index
    from group_stats g
    cross join regular_bins r

    union

    select group_value, bin_index
    from bin_counts
),

bin_bounds as (
    select
        group_value,
        bin_index,
        case when bin_index < 0 then null else bin_index * (100.0 / greatest($bins, 1)) end as bin_lower,
        case when bin_index >= greatest($bins, 1) then null
             else (bin_index + 1) * (100.0 / greatest($bins, 1)) end as bin_upper
    from bin_grid
),

bin_edges as (
    select
        *,
        case when bin_lower = floor(bin_lower) then cast(cast(bin_lower as bigint) as varchar)
             else cast(round(bin_lower, 1) as varchar) end as lower_text,
        case when bin_upper = floor(bin_upper) then cast(cast(bin_upper as bigint) as varchar)
             else cast(round(bin_upper, 1) as varchar) end as upper_text
    from bin_bounds
),

final as (
    select
        $measure as measure,
        $group_by as group_by,
        e.group_value,
        e.bin_index,
        e.bin_lower,
        e.bin_upper,
        case
            when e.bin_lower is null then '＜0'
            when e.bin_upper is null then '＞100'
            else e.lower_text || '–' || e.upper_text
        end as bin_label,
        coalesce(c.n_in_bin, 0) as n_in_bin,
        s.n_in_group,
        s.min_value,
        s.p25_value,
        s.median_value,
        s.p75_value,
        s.max_value,
        s.mean_value,
        s.n_below_full,
        s.below_full_share_pct,
        s.p10_value
    from bin_edges e
    join group_stats s on s.group_value = e.group_value
    left join bin_counts c on c.group_value = e.group_value and c.bin_index = e.bin_index
)

select * from final
order by group_value, bin_index
