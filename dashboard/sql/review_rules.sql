-- Jixiao read side, the review rules (issue 16): created after views.sql by every reader (dashboard/schema.py
-- VIEW_FILES); the signals' macro is in review_signals.sql. Kept apart so that each file stays under the
-- size limit of the SQL linter.

-- ---------------------------------------------------------------------------------------------------------
-- 复核清单 (issue 16): the signals a performance office re-checks first. queries/review_signals.sql lists the
-- rows that fired, queries/review_priority.sql ranks the forms by a weighted sum of them.
-- ---------------------------------------------------------------------------------------------------------

-- The review signals, each a documented rule with its default weight in the priority score (the analyst may
-- pass other weights to review_priority). level: where a row of the signal points (indicator | form | budget
-- line). The rules, as computed in review_signal_rows below:
create or replace view review_rules as
select signal, signal_group, group_label, signal_label, default_weight, rule, seq
from (values
    ('lenient_score', 'leniency', '自评宽松', '自评分高于评分规则', 3.0,
     '定量指标自评分比按完成比例应得的分数（与 score_check 同一规则）高出 0.5 分以上', 1),
    ('full_score_target_missed', 'leniency', '自评宽松', '未达目标仍得满分', 3.0,
     '定量指标实际完成值未达到目标值，自评分却等于分值', 2),
    ('full_marks', 'leniency', '自评宽松', '自评满分', 1.0,
     '全表每一项（含预算执行率）都得满分；理由中给出本单位当年满分表的占比', 3),
    ('total_above_computed', 'leniency', '自评宽松', '填报总分高于核算总分', 2.0,
     '填报总分比预算执行得分与各指标得分之和高出 0.005 分以上', 4),
    ('few_quantitative', 'target', '目标设置', '定量指标占比低', 1.0,
     '有数值目标的指标不到全表指标的一半（至少 4 项指标的表）', 5),
    ('vague_target', 'target', '目标设置', '定性目标用语模糊', 1.0,
     '没有数值的目标值含模糊用语（提升、有所提高、明显改善、较好、进一步……，词表见 dashboard/review/vague_words.toml）', 6),
    ('target_far_exceeded', 'target', '目标设置', '目标值明显偏低', 2.0,
     '≥ 目标的实际完成值达到目标值的 1.5 倍及以上，或 ≤ 目标的实际值不到目标值的一半（单位相同且目标值大于 0）', 7),
    ('target_unchanged', 'target', '目标设置', '目标与上年相同而实际上升', 1.0,
     '同一单位、同一表、同名指标的目标文字与数值都与上年相同，上年已达标且今年实际完成值又高于上年', 8),
    ('all_at_target', 'target', '目标设置', '定量指标全部恰好达标', 2.0,
     '全表至少 3 项可比较的定量指标，实际完成值全部恰好等于目标值', 9),
    ('target_without_unit', 'target', '目标设置', '定量目标无计量单位', 0.5,
     '目标值有数值，却既没有单位也没有计量单位列', 10),
    ('lost_no_reason', 'note', '偏差说明', '扣分未说明原因', 2.0,
     '扣分（分值减得分大于 0.005）而偏差说明为空或只写“无偏差”一类的话（词表见 vague_words.toml）', 11),
    ('short_note', 'note', '偏差说明', '偏差说明过短', 1.0,
     '扣分指标的偏差说明（去掉空白）不足 8 个字', 12),
    ('similar_note', 'note', '偏差说明', '偏差说明雷同', 2.0,
     '偏差说明与其他单位或其他年度表格中的说明相同或几乎相同（MinHash 候选 + 编辑相似度复核，见 dashboard/review/notes.py）', 13),
    ('execution_always_100', 'budget', '预算执行', '执行率年年恰为100%', 1.0,
     '本年和上年本单位每张表的每一行预算执行率都恰好 100%（执行数等于全年预算数）', 14),
    ('executed_over_budget', 'budget', '预算执行', '执行数超过全年预算', 2.0,
     '预算行的全年执行数比全年预算数多 0.005 万元以上', 15),
    ('project_budget_short', 'budget', '预算执行', '项目预算合计不足项目支出', 1.0,
     '部门整体表“项目支出”全年预算数比同年本单位各项目表全年预算数之和多 0.005 万元以上', 16)
) as t (signal, signal_group, group_label, signal_label, default_weight, rule, seq);

-- A number as forms write it: at most two decimals, no trailing zeros (12.50 → 12.5, 100.00 → 100).
create or replace macro review_num(x) as
    case when x is null then '空' else regexp_replace(printf('%.2f', x), '\.?0+$', '') end;

-- The completion ratio of score_check.sql (the forms' rule for a quantitative indicator), kept within 0..1.
create or replace macro review_rule_ratio(op_used, actual, target) as greatest(least(
    case op_used
        when '>=' then case
            when actual >= target then 1.0
            when target > 0 then actual / target
            else 0.0 end
        when '<=' then case
            when actual <= target then 1.0
            when actual > 0 then target / actual
            else 0.0 end
        else case
            when actual = target then 1.0
            when actual > 0 and target > 0 then least(actual / target, target / actual)
            else 0.0 end
    end, 1.0), 0.0);

-- The name of a form that survives rebuilds (report ids do not): dataset|unit|year|kind|project.
create or replace macro review_form_key(p_dataset, p_unit, p_year, p_kind, p_project) as
    concat_ws('|', p_dataset, coalesce(p_unit, ''), coalesce(cast(p_year as varchar), ''), p_kind,
              coalesce(p_project, ''));

-- One row per form that has a 复核 status: the latest mark (review_marks), with who set it, when, and how many
-- times the status was set.
create or replace view review_status as
select
    form_key,
    arg_max(status, marked_at) as status,
    arg_max(reviewer, marked_at) as reviewer,
    max(marked_at) as marked_at,
    arg_max(comment, marked_at) as comment,
    count(*) as n_marks
from review_marks
group by form_key;
