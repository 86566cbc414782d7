-- Jixiao read side, the review signals (issue 16): the macro review_signal_rows over the rules of
-- review_rules.sql (created before it by every reader, dashboard/schema.py VIEW_FILES).

-- One row per signal that fired in the selection (see review_rules): the form, the indicator or budget line
-- that triggered it (with its source line), `figure` (the number the rule looked at) and `detail` (a short
-- Chinese phrase saying what was seen). Word lists and near-duplicate note groups come in as lists:
-- p_vague_words (vague target words), p_empty_notes (notes that give no reason: 无偏差, 无 …),
-- p_similar_ids / p_similar_groups (parallel lists: an indicator_id and its group of near-identical notes,
-- computed over the whole dataset by dashboard/review/notes.py). NULL lists fire no row of their signal.
-- p_scope: the access scope (views.sql); every table read here keeps to it.
create or replace macro review_signal_rows(
    p_dataset, p_year, p_units, p_kind, p_vague_words, p_empty_notes, p_similar_ids, p_similar_groups, p_scope
) as table
with forms as (
    select * from selected_forms(p_dataset, p_year, p_units, p_kind, p_scope)
),

-- The forms' indicators, filtered on indicator_facts' own columns (the same rows as a semi-join on forms),
-- so the stored table's zone maps skip the other years.
inds as (
    select i.*
    from selected_indicators(p_dataset, p_year, p_units, p_kind, null, p_scope) i
),

quantitative as (
    select
        i.*,
        review_rule_ratio(
            case when i.target_op in ('<=', '<') then '<=' when i.target_op = '=' then '=' else '>=' end,
            i.actual_value, i.target_value
        ) as rule_ratio
    from inds i
    where i.is_target_met is not null and i.weight is not null and i.score is not null
),

lenient as (
    select
        'lenient_score' as signal, q.report_id, q.indicator_id, null as budget_line,
        round(q.score - q.rule_ratio * q.weight, 4) as figure,
        q.indicator || '：目标' || coalesce(q.target_text, '') || '，实际' || coalesce(q.actual_text, '')
        || '，应得' || review_num(q.rule_ratio * q.weight) || '分，自评' || review_num(q.score) || '分' as detail,
        q.source_line, q.source_ref
    from quantitative q
    where q.score - q.rule_ratio * q.weight > 0.5
),

full_missed as (
    select
        'full_score_target_missed' as signal, i.report_id, i.indicator_id, null as budget_line,
        i.weight as figure,
        i.indicator || '：目标' || coalesce(i.target_text, '') || '，实际' || coalesce(i.actual_text, '')
        || '，得满分' || review_num(i.score) || '分' as detail,
        i.source_line, i.source_ref
    from inds i
    where i.is_target_met = false and i.weight is not null and i.score >= i.weight - points_epsilon()
),

form_scores as (
    select
        f.*,
        coalesce(p.n_lost_points, 0) as n_lost_points,
        f.computed_total is not null and f.weight_total > 0
        and abs(f.computed_total - f.weight_total) <= points_epsilon() and coalesce(p.n_lost_points, 0) = 0
            as is_full_marks
    from forms f
    left join form_points p on p.report_id = f.report_id
),

unit_full_share as (
    select unit_id, year, count(*) filter (where is_full_marks) as n_full, count(*) as n_forms
    from form_scores
    group by unit_id, year
),

full_marks as (
    select
        'full_marks' as signal, f.report_id, null as indicator_id, null as budget_line,
        f.computed_total as figure,
        '自评' || review_num(f.computed_total) || '分（满分），本单位当年' || s.n_full || '/' || s.n_forms
        || '张表满分' as detail,
        f.source_line, f.source_ref
    from form_scores f
    join unit_full_share s on s.unit_id is not distinct from f.unit_id and s.year is not distinct from f.year
    where f.is_full_marks
),

total_above as (
    select
        'total_above_computed' as signal, f.report_id, null as indicator_id, null as budget_line,
        round(f.stated_total - f.computed_total, 4) as figure,
        '填报总分' || review_num(f.stated_total) || '分，核算总分' || review_num(f.computed_total) || '分' as detail,
        f.source_line, f.source_ref
    from forms f
    where f.stated_total - f.computed_total > 0.005
),

form_targets as (
    select
        report_id,
        count(*) as n_indicators,
        count(*) filter (where target_value is not null) as n_quantitative,
        count(*) filter (where target_value is not null and actual_value is not null
                         and is_target_met is not null) as n_comparable,
        count(*) filter (where target_value is not null and actual_value is not null
                         and is_target_met is not null and actual_value = target_value) as n_exact,
        min(source_line) as source_line,
        min(source_ref) as source_ref
    from inds
    group by report_id
),

few_quant as (
    select
        'few_quantitative' as signal, t.report_id, null as indicator_id, null as budget_line,
        round(t.n_quantitative * 100.0 / t.n_indicators, 1) as figure,
        '定量指标' || t.n_quantitative || '/' || t.n_indicators || '项' as detail,
        t.source_line, t.source_ref
    from form_targets t
    where t.n_indicators >= 4 and t.n_quantitative * 2 < t.n_indicators
),

vague as (
    select
        'vague_target' as signal, i.report_id, i.indicator_id, null as budget_line,
        null::double as figure,
        i.indicator || '：目标“' || i.target_text || '”' as detail,
        i.source_line, i.source_ref
    from inds i
    where i.target_value is null
      and i.target_text is not null
      and exists (
          select 1
          from unnest(coalesce(cast(p_vague_words as varchar[]), []::varchar[])) as v (word)
          where position(v.word in i.target_text) > 0
      )
),

far_exceeded as (
    select
        'target_far_exceeded' as signal, i.report_id, i.indicator_id, null as budget_line,
        case when coalesce(i.target_op, '>=') in ('>=', '>') then round(i.actual_value / i.target_value, 4)
             when i.actual_value > 0 then round(i.target_value / i.actual_value, 4) end as figure,
        i.indicator || '：目标' || coalesce(i.target_text, '') || '，实际' || coalesce(i.actual_text, '')
        || case when coalesce(i.target_op, '>=') in ('>=', '>')
                then '（目标的' || review_num(i.actual_value / i.target_value) || '倍）'
                else '（不到目标的一半）' end as detail,
        i.source_line, i.source_ref
    from inds i
    where i.target_value > 0
      and i.actual_value is not null
      and i.target_unit is not distinct from i.actual_unit
      and (
          (coalesce(i.target_op, '>=') in ('>=', '>') and i.actual_value >= 1.5 * i.target_value)
          or (i.target_op in ('<=', '<') and i.actual_value <= 0.5 * i.target_value)
      )
),

previous_year as (
    select
        p.indicator_id, p.unit_id, p.year, p.kind, coalesce(p.project, '') as project_key, p.indicator,
        p.target_text, p.target_value, p.actual_value, p.actual_text
    from indicator_facts p
    where (p_dataset is null or p.dataset = p_dataset)
      and in_scope(p_scope, p.unit)
      and p.is_target_met
),

unchanged as (
    select
        'target_unchanged' as signal, i.report_id, i.indicator_id, null as budget_line,
        round(i.actual_value - p.actual_value, 4) as figure,
        i.indicator || '：目标' || i.target_text || '与' || (i.year - 1) || '年相同，实际由'
        || coalesce(p.actual_text, '') || '升至' || coalesce(i.actual_text, '') as detail,
        i.source_line, i.source_ref
    from inds i
    join previous_year p
        on p.unit_id = i.unit_id and p.year = i.year - 1 and p.kind = i.kind
       and p.project_key = coalesce(i.project, '') and p.indicator = i.indicator
       and p.target_text = i.target_text and p.target_value = i.target_value
    where i.target_value is not null and i.actual_value > p.actual_value
    qualify row_number() over (partition by i.indicator_id order by p.actual_value desc, p.indicator_id) = 1
),

at_target as (
    select
        'all_at_target' as signal, t.report_id, null as indicator_id, null as budget_line,
        t.n_exact::double as figure,
        t.n_exact || '项定量指标实际值全部恰好等于目标值' as detail,
        t.source_line, t.source_ref
    from form_targets t
    where t.n_comparable >= 3 and t.n_exact = t.n_comparable
),

no_unit as (
    select
        'target_without_unit' as signal, i.report_id, i.indicator_id, null as budget_line,
        i.target_value as figure,
        i.indicator || '：目标“' || i.target_text || '”' as detail,
        i.source_line, i.source_ref
    from inds i
    where i.target_value is not null
      and coalesce(nullif(trim(i.target_unit), ''), nullif(trim(i.measure_unit), '')) is null
),

lost_notes as (
    select i.*
    from inds i
    where i.weight - i.score > 0.005
),

no_reason as (
    select
        'lost_no_reason' as signal, n.report_id, n.indicator_id, null as budget_line,
        round(n.weight - n.score, 4) as figure,
        n.indicator || '：扣' || review_num(n.weight - n.score) || '分，'
        || case when n.note_key = '' then '未写偏差说明' else '说明为“' || trim(n.note) || '”' end as detail,
        n.source_line, n.source_ref
    from lost_notes n
    where n.note_key = ''
       or list_contains(coalesce(cast(p_empty_notes as varchar[]), []::varchar[]), n.note_key)
),

short_notes as (
    select
        'short_note' as signal, n.report_id, n.indicator_id, null as budget_line,
        length(n.note_key)::double as figure,
        n.indicator || '：扣' || review_num(n.weight - n.score) || '分，说明仅“' || trim(n.note) || '”' as detail,
        n.source_line, n.source_ref
    from lost_notes n
    where n.note_key <> ''
      and length(n.note_key) < 8
      and not list_contains(coalesce(cast(p_empty_notes as varchar[]), []::varchar[]), n.note_key)
),

similar_members as (
    select
        unnest(coalesce(cast(p_similar_ids as integer[]), []::integer[])) as indicator_id,
        unnest(coalesce(cast(p_similar_groups as integer[]), []::integer[])) as group_id
),

similar_spread as (
    select
        m.group_id,
        count(distinct p.unit_id) as n_units,
        count(distinct p.year) as n_years,
        count(distinct cast(p.unit_id as varchar) || '-' || cast(p.year as varchar)) as n_unit_years
    from similar_members m
    join indicator_facts p on p.indicator_id = m.indicator_id
    where in_scope(p_scope, p.unit)
    group by m.group_id
),

similar_notes as (
    select
        'similar_note' as signal, i.report_id, i.indicator_id, null as budget_line,
        (s.n_units - 1)::double as figure,
        i.indicator || '：说明与第' || s.group_id || '组雷同（' || s.n_units || '个单位、' || s.n_years || '个年度）'
        as detail,
        i.source_line, i.source_ref
    from inds i
    join similar_members m on m.indicator_id = i.indicator_id
    join similar_spread s on s.group_id = m.group_id
    where s.n_unit_years >= 2
),

unit_year_lines as (
    select
        r.unit_id, r.year,
        bool_and(b.executed = b.full_year) as is_all_100,
        count(*) as n_lines
    from budget_lines b
    join form_facts r on r.report_id = b.report_id
    where b.full_year > 0 and b.executed is not null
      and (p_dataset is null or r.dataset = p_dataset)
      and in_scope(p_scope, r.unit)
    group by r.unit_id, r.year
),

always_100 as (
    select
        'execution_always_100' as signal, f.report_id, null as indicator_id, null as budget_line,
        100.0 as figure,
        (f.year - 1) || '—' || f.year || '年本单位' || (c.n_lines + p.n_lines) || '行预算执行率均恰为100%'
        as detail,
        f.source_line, f.source_ref
    from forms f
    join unit_year_lines c on c.unit_id = f.unit_id and c.year = f.year
    join unit_year_lines p on p.unit_id = f.unit_id and p.year = f.year - 1
    where c.is_all_100 and p.is_all_100
),

over_budget as (
    select
        'executed_over_budget' as signal, b.report_id, null as indicator_id, b.line as budget_line,
        round(b.executed - b.full_year, 4) as figure,
        b.line || '：执行数' || review_num(b.executed) || '万元，全年预算数' || review_num(b.full_year) || '万元'
        as detail,
        b.source_line, b.source_ref
    from budget_lines b
    where b.report_id in (select report_id from forms)
      and b.executed - b.full_year > 0.005
),

project_sums as (
    select unit_id, year, sum(budget_full_year_wan) as projects_full_year_wan, count(*) as n_projects
    from form_facts
    where kind = 'project' and (p_dataset is null or dataset = p_dataset) and in_scope(p_scope, unit)
    group by unit_id, year
),

project_short as (
    select
        'project_budget_short' as signal, f.report_id, null as indicator_id, b.line as budget_line,
        round(b.full_year - s.projects_full_year_wan, 4) as figure,
        '项目支出' || review_num(b.full_year) || '万元，' || s.n_projects || '张项目表合计'
        || review_num(s.projects_full_year_wan) || '万元' as detail,
        b.source_line, b.source_ref
    from forms f
    join budget_lines b on b.report_id = f.report_id and b.line = '项目支出'
    join project_sums s on s.unit_id = f.unit_id and s.year = f.year
    where f.kind = 'department' and b.full_year - s.projects_full_year_wan > 0.005
),

fired as (
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from lenient
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from full_missed
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from full_marks
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from total_above
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from few_quant
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from vague
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from far_exceeded
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from unchanged
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from at_target
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from no_unit
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from no_reason
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from short_notes
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from similar_notes
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from always_100
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from over_budget
    union all
    select signal, report_id, indicator_id, budget_line, figure, detail, source_line, source_ref from project_short
)

select
    x.signal,
    r.signal_group,
    r.group_label,
    r.signal_label,
    r.seq as signal_seq,
    x.report_id,
    f.dataset,
    f.unit_id,
    f.unit,
    f.year,
    f.kind,
    f.form,
    x.indicator_id,
    i.indicator,
    i.seq as indicator_seq,
    x.budget_line,
    x.figure,
    x.detail,
    f.path,
    x.source_line,
    x.source_ref
from fired x
join review_rules r on r.signal = x.signal
join forms f on f.report_id = x.report_id
left join inds i on i.indicator_id = x.indicator_id;
