-- One row per node of the tree unit-year → form → level-1 → level-2 → indicator, with sums of weight, score and points lost.
-- label: 指标下钻：单位 → 自评表 → 一级指标 → 二级指标 → 指标，逐级汇总分值、得分与扣分
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $unit VARCHAR = NULL,
--   $kind VARCHAR = NULL [department|project], $report_id INTEGER = NULL, $level1 VARCHAR = NULL
-- columns: depth, level, node_id, parent_id, label, unit_id, unit, year, report_id, kind, form, level1, level2,
--   indicator_id, indicator, n_indicators, weight, score, points_lost, score_pct, n_lost_points, n_target_missed,
--   target_text, actual_text, is_target_met, status, note, path, source_line, level1_seq, level2_seq, seq
--
-- depth 0 unit (in one year), 1 form, 2 level-1 class, 3 level-2 class, 4 indicator (level = unit | form |
-- level1 | level2 | indicator). node_id / parent_id link the rows for a sunburst or treemap (the unit rows have
-- parent_id ''). Each form's budget execution line is a leaf under level-1 '预算执行', so a form node's weight
-- and score equal the form's weight_total and computed_total (sample department form: 95 and 93).
-- points_lost = Σ (weight − score) over leaves with both; score_pct = score / weight × 100 of the node;
-- n_indicators counts leaves (the execution line included). Missing level names show as '（未分类）'.
-- Leaf rows carry the indicator's target, actual, note and source line; form rows the form's first line.
-- status: a leaf's own (see indicator_facts); above, lost_points when any leaf lost points, else target_missed
-- when any missed its target, else ok. Rows come in tree order: each node right before its children, classes
-- and indicators in form order (level1_seq, level2_seq, seq: the first indicator's position in the form).
with forms as (
    select *
    from form_facts
    where ($dataset is null or dataset = $dataset)
      and ($year is null or year = $year)
      and ($unit is null or unit = $unit)
      and ($kind is null or kind = $kind)
      and ($report_id is null or report_id = $report_id)
),

execution_lines as (
    select b.report_id, min(b.source_line) as source_line
    from budget_lines b
    join forms f on f.report_id = b.report_id
    where b.weight is not null or b.score is not null
    group by b.report_id
),

leaves as (
    select
        i.report_id,
        'i' || cast(i.indicator_id as varchar) as leaf_key,
        i.indicator_id,
        i.seq,
        coalesce(i.level1, '（未分类）') as level1,
        coalesce(i.level2, '（未分类）') as level2,
        i.indicator,
        i.weight,
        i.score,
        i.points_lost,
        i.is_lost_points,
        i.is_target_met,
        i.status,
        i.target_text,
        i.actual_text,
        i.note,
        i.source_line
    from indicator_facts i
    join forms f on f.report_id = i.report_id

    union all

    select
        f.report_id,
        'x' || cast(f.report_id as varchar) as leaf_key,
        null as indicator_id,
        0 as seq,
        '预算执行' as level1,
        '预算执行率' as level2,
        '预算执行率' as indicator,
        f.execution_weight as weight,
        f.execution_score as score,
        f.execution_weight - f.execution_score as points_lost,
        coalesce(f.execution_weight - f.execution_score > 0.00005, false) as is_lost_points,
        null as is_target_met,
        case
            when f.execution_weight - f.execution_score > 0.00005 then 'lost_points'
            when f.execution_weight is null or f.execution_score is null then 'no_score'
            else 'ok'
        end as status,
        '100%' as target_text,
        case when f.execution_rate_used_pct = floor(f.execution_rate_used_pct)
             then cast(cast(f.execution_rate_used_pct as bigint) as varchar)
             else cast(round(f.execution_rate_used_pct, 2) as varchar) end || '%' as actual_text,
        case when f.execution_rate_basis = 'stated' then '执行率取填报值（执行数缺失）' end as note,
        coalesce(b.source_line, f.source_line) as source_line
    from forms f
    left join execution_lines b on b.report_id = f.report_id
    where f.execution_weight is not null or f.execution_score is not null
),

ordered_leaves as (
    select
        l.*,
        f.unit_id,
        f.unit,
        f.year,
        f.kind,
        f.form,
        f.path,
        f.source_line as form_line,
        min(l.seq) over (partition by l.report_id, l.level1) as level1_seq,
        min(l.seq) over (partition by l.report_id, l.level1, l.level2) as level2_seq
    from leaves l
    join forms f on f.report_id = l.report_id
    where ($level1 is null or l.level1 = $level1)
),

tree as (
    select
        grouping(report_id) + grouping(level1) + grouping(level2) + grouping(leaf_key) as levels_up,
        unit_id,
        unit,
        year,
        report_id,
        kind,
        form,
        path,
        form_line,
        level1,
        level1_seq,
        level2,
        level2_seq,
        leaf_key,
        max(indicator_id) as indicator_id,
        max(indicator) as indicator,
        min(seq) as seq,
        count(*) as n_indicators,
        sum(weight) as weight,
        sum(score) as score,
        sum(points_lost) as points_lost,
        count(*) filter (where is_lost_points) as n_lost_points,
        count(*) filter (where is_target_met = false) as n_target_missed,
        max(target_text) as target_text,
        max(actual_text) as actual_text,
        bool_and(is_target_met) as is_target_met,
        max(status) as status,
        max(note) as note,
        max(source_line) as source_line
    from ordered_leaves
    group by rollup (
        (unit_id, unit, year),
        (report_id, kind, form, path, form_line),
        (level1, level1_seq),
        (level2, level2_seq),
        leaf_key
    )
    having grouping(unit_id) = 0
),

nodes as (
    select
        t.*,
        4 - t.levels_up as depth,
        'u' || coalesce(cast(t.unit_id as varchar), '?') || '-' || coalesce(cast(t.year as varchar), '?') as unit_node,
        '/r' || cast(t.report_id as varchar) as form_part,
        '/' || t.level1 as level1_part,
        '/' || t.level2 as level2_part,
        '/' || t.leaf_key as leaf_part
    from tree t
),

final as (
    select
        depth,
        case depth when 0 then 'unit' when 1 then 'form' when 2 then 'level1' when 3 then 'level2'
                   else 'indicator' end as level,
        case depth
            when 0 then unit_node
            when 1 then unit_node || form_part
            when 2 then unit_node || form_part || level1_part
            when 3 then unit_node || form_part || level1_part || level2_part
            else unit_node || form_part || level1_part || level2_part || leaf_part
        end as node_id,
        case depth
            when 0 then ''
            when 1 then unit_node
            when 2 then unit_node || form_part
            when 3 then unit_node || form_part || level1_part
            else unit_node || form_part || level1_part || level2_part
        end as parent_id,
        case depth
            when 0 then coalesce(unit, '（未知单位）') || ' ' || coalesce(cast(year as varchar), '')
            when 1 then form
            when 2 then level1
            when 3 then level2
            else indicator
        end as label,
        unit_id,
        unit,
        year,
        report_id,
        kind,
        form,
        level1,
        level2,
        case when depth = 4 then indicator_id end as indicator_id,
        case when depth = 4 then indicator end as indicator,
        n_indicators,
        weight,
        score,
        points_lost,
        case when weight > 0 then score / weight * 100 end as score_pct,
        n_lost_points,
        n_target_missed,
        case when depth = 4 then target_text end as target_text,
        case when depth = 4 then actual_text end as actual_text,
        case when depth = 4 then is_target_met end as is_target_met,
        case
            when depth = 4 then status
            when n_lost_points > 0 then 'lost_points'
            when n_target_missed > 0 then 'target_missed'
            else 'ok'
        end as status,
        case when depth = 4 then note end as note,
        case when depth >= 1 then path end as path,
        case when depth = 4 then source_line when depth = 1 then form_line end as source_line,
        level1_seq,
        level2_seq,
        seq
    from nodes
)

select * from final
order by unit, year, unit_id, report_id nulls first, level1_seq nulls first, level1 nulls first,
    level2_seq nulls first, level2 nulls first, depth, seq, node_id
