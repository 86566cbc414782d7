-- One row per quantitative indicator, per form and per unit-year: the self-given score beside the score the forms' own rule gives.
-- label: 评分规则核对：定量指标按完成比例应得的分数与自评分之差（按指标、表格、单位）
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $level VARCHAR = NULL [unit|form|indicator],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (the check covers every quantitative indicator of a form)
-- columns: level, depth, unit_id, unit, year, report_id, kind, form, indicator_id, indicator, target_op_used,
--   target_text, target_value, target_unit, actual_text, actual_value, actual_unit, rule_ratio, n_quantitative,
--   n_lenient, weight, self_score, rule_score, leniency_points, path, source_line, seq
--
-- Quantitative = the ingest could compare the numeric actual with the numeric target (indicators.target_met is
-- not NULL) and the indicator has a weight and a self-given score. The rule (the forms' notes: a quantitative indicator scores by its
-- completion ratio):
--   '>=' (also '>' and no operator, as in "100%"): ratio = 1 when actual ≥ target, else actual / target
--        (0 when the target is ≤ 0);
--   '<=' (also '<'): ratio = 1 when actual ≤ target, else target / actual (actual > 0 here, so no division by 0);
--   '=': ratio = 1 when equal, else min(actual / target, target / actual) when both are positive, else 0;
-- the ratio is kept within 0..1; rule_score = ratio × weight, rounded to 4 decimals.
-- leniency_points = self_score − rule_score: positive when a unit scores itself above what its own numbers
-- support. Form and unit rows sum their quantitative indicators, so leniency_points = self_score − rule_score
-- at every level; n_lenient counts indicators with leniency_points > 0. $level NULL returns all three levels
-- (depth 0 unit, 1 form, 2 indicator); rows are ordered by depth, then most lenient first.
with quantitative as (
    select
        i.*,
        case when i.target_op in ('<=', '<') then '<=' when i.target_op = '=' then '=' else '>=' end
            as target_op_used
    from selected_indicators($dataset, $year, $units, $kind, null, $scope) i
    where i.is_target_met is not null
      and i.weight is not null
      and i.score is not null
),

ratios as (
    select
        q.*,
        greatest(least(
            case q.target_op_used
                when '>=' then case
                    when q.actual_value >= q.target_value then 1.0
                    when q.target_value > 0 then q.actual_value / q.target_value
                    else 0.0 end
                when '<=' then case
                    when q.actual_value <= q.target_value then 1.0
                    when q.actual_value > 0 then q.target_value / q.actual_value
                    else 0.0 end
                else case
                    when q.actual_value = q.target_value then 1.0
                    when q.actual_value > 0 and q.target_value > 0
                        then least(q.actual_value / q.target_value, q.target_value / q.actual_value)
                    else 0.0 end
            end, 1.0), 0.0) as rule_ratio
    from quantitative q
),

scored as (
    select
        r.*,
        round(r.rule_ratio * r.weight, 4) as rule_score,
        round(r.score - r.rule_ratio * r.weight, 4) as leniency_points
    from ratios r
),

levels as (
    select
        case
            when grouping(indicator_id) = 0 then 'indicator'
            when grouping(report_id) = 0 then 'form'
            else 'unit'
        end as level,
        grouping(report_id) + grouping(indicator_id) as levels_up,
        unit_id,
        unit,
        year,
        report_id,
        kind,
        form,
        path,
        indicator_id,
        max(indicator) as indicator,
        max(target_op_used) as target_op_used,
        max(target_text) as target_text,
        max(target_value) as target_value,
        max(target_unit) as target_unit,
        max(actual_text) as actual_text,
        max(actual_value) as actual_value,
        max(actual_unit) as actual_unit,
        max(rule_ratio) as rule_ratio,
        count(*) as n_quantitative,
        count(*) filter (where is_lost(leniency_points)) as n_lenient,
        sum(weight) as weight,
        sum(score) as self_score,
        round(sum(rule_score), 4) as rule_score,
        round(sum(leniency_points), 4) as leniency_points,
        min(seq) as seq,
        max(source_line) as source_line
    from scored
    group by grouping sets (
        (unit_id, unit, year),
        (unit_id, unit, year, report_id, kind, form, path),
        (unit_id, unit, year, report_id, kind, form, path, indicator_id)
    )
),

final as (
    select
        level,
        2 - levels_up as depth,
        unit_id,
        unit,
        year,
        report_id,
        kind,
        form,
        indicator_id,
        case when level = 'indicator' then indicator end as indicator,
        case when level = 'indicator' then target_op_used end as target_op_used,
        case when level = 'indicator' then target_text end as target_text,
        case when level = 'indicator' then target_value end as target_value,
        case when level = 'indicator' then target_unit end as target_unit,
        case when level = 'indicator' then actual_text end as actual_text,
        case when level = 'indicator' then actual_value end as actual_value,
        case when level = 'indicator' then actual_unit end as actual_unit,
        case when level = 'indicator' then rule_ratio end as rule_ratio,
        n_quantitative,
        n_lenient,
        weight,
        self_score,
        rule_score,
        leniency_points,
        path,
        case when level = 'indicator' then source_line end as source_line,
        seq
    from levels
    where $level is null or level = $level
)

select * from final
order by depth, leniency_points desc nulls last, unit, year, report_id, seq
