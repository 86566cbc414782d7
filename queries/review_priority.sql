-- One row per form in the selection: its review priority (a weighted sum of the review signals that fired) and the reasons in Chinese.
-- label: 复核清单：按复核优先分排序的自评表及其理由（各项信号加权求和）
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project], $vague_words VARCHAR[] = NULL, $empty_notes VARCHAR[] = NULL,
--   $similar_ids INTEGER[] = NULL, $similar_groups INTEGER[] = NULL, $weight_signals VARCHAR[] = NULL,
--   $weights DOUBLE[] = NULL, $signal VARCHAR = NULL, $min_score DOUBLE = NULL,
--   $status VARCHAR = NULL [待复核|已复核|有问题],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (the signals judge whole forms: a form-level rule needs all its indicators)
-- columns: rank, report_id, dataset, unit_id, unit, year, kind, form, priority_score, n_signals, n_rows, signals,
--   reasons, first_indicator_id, stated_total, computed_total, form_key, review_status, reviewed_by,
--   reviewed_at, review_comment, path, source_line, source_ref
--
-- priority_score = Σ over the signals that fired for the form (each counted once, however many rows fired it)
-- of the signal's weight: review_rules.default_weight, unless $weight_signals / $weights (parallel lists)
-- give another one (the analyst's weights; 0 turns a signal off). reasons: one phrase per fired signal with
-- its figure, heaviest first, joined by '；' (e.g. 2项定量指标未达目标仍得满分；1条偏差说明与其他1个单位雷同).
-- signals: the fired rules' codes in the same order. first_indicator_id: the first indicator that triggered the
-- heaviest indicator signal (the drill-down highlights it). Forms where nothing fired have score 0 and
-- reasons '未发现复核信号'. $signal keeps the forms where that rule fired, $min_score those scoring at least
-- that. rank: 1 = check first (ties share a rank). review_status: the form's latest 复核 mark (the
-- review_status view; 待复核 when none), with who set it and when; $status keeps the forms in that status.
-- stated_total / computed_total are the form's reported and recomputed totals (form_facts).
with signal_rows as (
    select *
    from review_signal_rows(
        $dataset, $year, $units, $kind, $vague_words, $empty_notes, $similar_ids, $similar_groups, $scope
    )
),

weights as (
    select
        signal,
        seq,
        coalesce(
            case when list_contains(coalesce(cast($weight_signals as varchar[]), []::varchar[]), signal)
                then list_extract(
                    cast($weights as double[]), list_position(cast($weight_signals as varchar[]), signal)
                ) end,
            default_weight
        ) as weight
    from review_rules
),

per_signal as (
    select
        s.report_id,
        s.signal,
        w.weight,
        w.seq,
        count(*) as n_rows,
        sum(s.figure) as sum_figure,
        max(s.figure) as max_figure,
        min(s.detail) as first_detail,
        arg_min(s.indicator_id, coalesce(s.indicator_seq, 0)) as first_indicator_id
    from signal_rows s
    join weights w on w.signal = s.signal
    where w.weight > 0
    group by s.report_id, s.signal, w.weight, w.seq
),

phrased as (
    select
        p.*,
        case p.signal
            when 'lenient_score' then p.n_rows || '项定量指标自评分高于评分规则，共多' || review_num(p.sum_figure) || '分'
            when 'full_score_target_missed' then p.n_rows || '项定量指标未达目标仍得满分'
            when 'full_marks' then p.first_detail
            when 'total_above_computed' then '填报总分比核算总分高' || review_num(p.sum_figure) || '分'
            when 'few_quantitative' then p.first_detail
            when 'vague_target' then p.n_rows || '项定性目标用语模糊'
            when 'target_far_exceeded' then p.n_rows || '项指标实际远好于目标'
                || case when p.max_figure is not null then '（最多' || review_num(p.max_figure) || '倍）' else '' end
            when 'target_unchanged' then p.n_rows || '项指标目标与上年相同而实际上升'
            when 'all_at_target' then p.first_detail
            when 'target_without_unit' then p.n_rows || '项定量目标无计量单位'
            when 'lost_no_reason' then p.n_rows || '项扣分未说明原因（共扣' || review_num(p.sum_figure) || '分）'
            when 'short_note' then p.n_rows || '项扣分说明不足8个字'
            when 'similar_note' then p.n_rows || '条偏差说明与'
                || case when p.max_figure > 0 then '其他' || review_num(p.max_figure) || '个单位'
                        else '本单位其他年度' end || '雷同'
            when 'execution_always_100' then p.first_detail
            when 'executed_over_budget' then p.n_rows || '行执行数超过全年预算（最多超' || review_num(p.max_figure) || '万元）'
            when 'project_budget_short' then p.first_detail
        end as reason
    from per_signal p
),

per_form as (
    select
        report_id,
        sum(weight) as priority_score,
        count(*) as n_signals,
        sum(n_rows) as n_rows,
        list(signal order by weight desc, seq) as signals,
        string_agg(reason, '；' order by weight desc, seq) as reasons,
        arg_min(first_indicator_id, (-weight, seq)) filter (where first_indicator_id is not null)
            as first_indicator_id
    from phrased
    group by report_id
),

ranked as (
    select
        f.report_id,
        f.dataset,
        f.unit_id,
        f.unit,
        f.year,
        f.kind,
        f.form,
        coalesce(p.priority_score, 0) as priority_score,
        coalesce(p.n_signals, 0) as n_signals,
        coalesce(p.n_rows, 0) as n_rows,
        coalesce(p.signals, []::varchar[]) as signals,
        coalesce(p.reasons, '未发现复核信号') as reasons,
        p.first_indicator_id,
        f.stated_total,
        f.computed_total,
        k.form_key,
        coalesce(m.status, '待复核') as review_status,
        m.reviewer as reviewed_by,
        m.marked_at as reviewed_at,
        m.comment as review_comment,
        f.path,
        f.source_line,
        f.source_ref
    from selected_forms($dataset, $year, $units, $kind, $scope) f
    cross join lateral (
        select review_form_key(f.dataset, f.unit, f.year, f.kind, f.project) as form_key
    ) k
    left join per_form p on p.report_id = f.report_id
    left join review_status m on m.form_key = k.form_key
),

final as (
    select
        rank() over (order by priority_score desc) as rank,
        *
    from ranked
    where ($signal is null or list_contains(signals, $signal))
      and ($min_score is null or priority_score >= $min_score)
      and ($status is null or review_status = $status)
)

select * from final
order by rank, n_rows desc, unit, year, report_id
