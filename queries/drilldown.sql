-- One row per node of the tree unit-year → form → level-1 → level-2 → indicator, with sums of weight, score and points lost.
-- label: 指标下钻：单位 → 自评表 → 一级指标 → 二级指标 → 指标，逐级汇总分值、得分与扣分
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $report_id INTEGER = NULL, $level1 VARCHAR = NULL,
--   $max_depth INTEGER = 4,
--   $scope VARCHAR[] = NULL
-- columns: depth, level, node_id, parent_id, label, unit_id, unit, year, report_id, kind, form, level1, level2,
--   indicator_id, indicator, n_indicators, weight, score, points_lost, score_pct, n_lost_points, n_target_missed,
--   target_text, actual_text, is_target_met, status, note, path, source_line, source_ref, level1_seq, level2_seq,
--   seq
--
-- depth 0 unit (in one year), 1 form, 2 level-1 class, 3 level-2 class, 4 indicator (level = unit | form |
-- level1 | level2 | indicator); $max_depth stops the tree early (1 = units and forms only, cheap on a whole
-- corpus). node_id / parent_id link the rows for a sunburst or treemap (the unit rows have parent_id '').
-- Each form's budget execution line is a leaf under level-1 '预算执行', so a form node's weight and score equal
-- the form's weight_total and computed_total (sample department form: 95 and 93).
-- points_lost = Σ (weight − score) over leaves with both; score_pct = score / weight × 100 of the node;
-- n_indicators counts leaves (the execution line included). Missing level names show as '（未分类）'.
-- Leaf rows carry the indicator's target, actual, note and source line; form rows the form's first line.
-- status: a leaf's own (see indicator_facts); above, lost_points when any leaf lost points, else target_missed
-- when any missed its target, else ok. Rows come in tree order: each node right before its children, classes
-- and indicators in form order (level1_seq, level2_seq, seq: the first indicator's position in the form).
with forms as (
    select *
    from selected_forms($dataset, $year, $units, $kind, $scope)
    where $report_id is null or report_id = $report_id
),

execution_lines as (
    select b.report_id, min(b.source_line) as source_line, min(b.source_ref) as source_ref
    from budget_lines b
    join forms f on f.report_id = b.report_id
    where b.weight is not null or b.score is not null
    group by b.report_id
),

-- Every leaf with what is shown for it; leaf_id is the indicator_id, or −report_id for an execution line.
leaf_details as (
    select
        i.indicator_id as leaf_id,
        i.report_id,
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
        i.source_line,
        i.source_ref
    from indicator_facts i
    where i.report_id in (select report_id from forms)

    union all

    select
        -f.report_id as leaf_id,
        f.report_id,
        null as indicator_id,
        0 as seq,
        '预算执行' as level1,
        '预算执行率' as level2,
        '预算执行率' as indicator,
        f.execution_weight as weight,
        f.execution_score as score,
        f.execution_weight - f.execution_score as points_lost,
        is_lost(f.execution_weight - f.execution_score) as is_lost_points,
        null as is_target_met,
        case
            when is_lost(f.execution_weight - f.execution_score) then 'lost_points'
            when f.execution_weight is null or f.execution_score is null then 'no_score'
            else 'ok'
        end as status,
        '100%' as target_text,
        case when f.execution_rate_used_pct = floor(f.execution_rate_used_pct)
             then cast(cast(f.execution_rate_used_pct as bigint) as varchar)
             else cast(round(f.execution_rate_used_pct, 2) as varchar) end || '%' as actual_text,
        case when f.execution_rate_basis = 'stated' then '执行率取填报值（执行数缺失）' end as note,
        coalesce(b.source_line, f.source_line) as source_line,
        coalesce(b.source_ref, f.source_ref) as source_ref
    from forms f
    left join execution_lines b on b.report_id = f.report_id
    where f.execution_weight is not null or f.execution_score is not null
),

-- Only ids and numbers go into the ROLLUP; names and texts are joined back afterwards. Levels deeper than
-- $max_depth are blanked so their groups collapse into their parent's.
leaves as (
    select
        f.unit_id,
        f.year,
        l.report_id,
        case when $max_depth >= 2 then l.level1 end as level1,
        case when $max_depth >= 2 then min(l.seq) over (partition by l.report_id, l.level1) end as level1_seq,
        case when $max_depth >= 3 then l.level2 end as level2,
        case when $max_depth >= 3 then min(l.seq) over (partition by l.report_id, l.level1, l.level2) end
            as level2_seq,
        case when $max_depth >= 4 then l.leaf_id end as leaf_id,
        l.seq,
        l.weight,
        l.score,
        l.points_lost,
        l.is_lost_points,
        l.is_target_met
    from leaf_details l
    join forms f on f.report_id = l.report_id
    where $level1 is null or l.level1 = $level1
),

tree as (
    select
        4 - (grouping(report_id) + grouping(level1) + grouping(level2) + grouping(leaf_id)) as depth,
        unit_id,
        year,
        report_id,
        level1,
        level1_seq,
        level2,
        level2_seq,
        leaf_id,
        min(seq) as seq,
        count(*) as n_indicators,
        sum(weight) as weight,
        sum(score) as score,
        sum(points_lost) as points_lost,
        count(*) filter (where is_lost_points) as n_lost_points,
        count(*) filter (where is_target_met = false) as n_target_missed
    from leaves
    group by rollup ((unit_id, year), report_id, (level1, level1_seq), (level2, level2_seq), leaf_id)
    having grouping(unit_id) = 0
),

unit_names as (
    select unit_id, year, max(unit) as unit
    from forms
    group by unit_id, year
),

nodes as (
    select
        t.*,
        'u' || coalesce(cast(t.unit_id as varchar), '?') || '-' || coalesce(cast(t.year as varchar), '?')
            as unit_node,
        '/r' || cast(t.report_id as varchar) as form_part,
        '/' || t.level1 as level1_part,
        '/' || t.level2 as level2_part,
        '/' || case when t.leaf_id < 0 then 'x' || cast(-t.leaf_id as varchar)
                    else 'i' || cast(t.leaf_id as varchar) end as leaf_part
    from tree t
    where t.depth <= $max_depth
),

final as (
    select
        n.depth,
        case n.depth when 0 then 'unit' when 1 then 'form' when 2 then 'level1' when 3 then 'level2'
                     else 'indicator' end as level,
        case n.depth
            when 0 then n.unit_node
            when 1 then n.unit_node || n.form_part
            when 2 then n.unit_node || n.form_part || n.level1_part
            when 3 then n.unit_node || n.form_part || n.level1_part || n.level2_part
            else n.unit_node || n.form_part || n.level1_part || n.level2_part || n.leaf_part
        end as node_id,
        case n.depth
            when 0 then ''
            when 1 then n.unit_node
            when 2 then n.unit_node || n.form_part
            when 3 then n.unit_node || n.form_part || n.level1_part
            else n.unit_node || n.form_part || n.level1_part || n.level2_part
        end as parent_id,
        case n.depth
            when 0 then coalesce(u.unit, '（未知单位）') || ' ' || coalesce(cast(n.year as varchar), '')
            when 1 then f.form
            when 2 then n.level1
            when 3 then n.level2
            else d.indicator
        end as label,
        n.unit_id,
        u.unit,
        n.year,
        n.report_id,
        f.kind,
        f.form,
        n.level1,
        n.level2,
        d.indicator_id,
        d.indicator,
        n.n_indicators,
        n.weight,
        n.score,
        n.points_lost,
        case when n.weight > 0 then n.score / n.weight * 100 end as score_pct,
        n.n_lost_points,
        n.n_target_missed,
        d.target_text,
        d.actual_text,
        d.is_target_met,
        case
            when n.depth = 4 then d.status
            when n.n_lost_points > 0 then 'lost_points'
            when n.n_target_missed > 0 then 'target_missed'
            else 'ok'
        end as status,
        d.note,
        f.path,
        case when n.depth = 4 then d.source_line when n.depth = 1 then f.source_line end as source_line,
        case when n.depth = 4 then d.source_ref when n.depth = 1 then f.source_ref end as source_ref,
        n.level1_seq,
        n.level2_seq,
        n.seq
    from nodes n
    left join unit_names u on u.unit_id is not distinct from n.unit_id and u.year is not distinct from n.year
    left join forms f on f.report_id = n.report_id
    left join leaf_details d on n.depth = 4 and d.leaf_id = n.leaf_id
)

select * from final
order by unit, year, unit_id, report_id nulls first, level1_seq nulls first, level1 nulls first,
    level2_seq nulls first, level2 nulls first, depth, seq, node_id
