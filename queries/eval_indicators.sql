-- One row per stored indicator with the columns `jixiao eval` compares against hand-read forms.
-- label: 评测：导入后的指标行（名称、指标值、完成值、分值、得分）
-- params: $dataset VARCHAR = NULL [real|demo], $path_like VARCHAR = NULL,
--   $scope VARCHAR[] = NULL
-- columns: path, report_id, seq, level1, level2, level3, target_text, actual_text, weight, score, source_line,
--   source_ref, raw_text, op_text, measure_unit, target_adjusted, coefficient, weight_share, converted_score,
--   review_score, method, is_core, content, evidence, target_op, target_unit
--
-- $dataset: real or demo (generated) files only; $path_like: a LIKE pattern on the file path (NULL = every file). Rows in table order.
-- $scope (the access scope): only files whose forms are all in it (views.sql sources_in_scope).
select
    s.path,
    i.report_id,
    i.seq,
    i.level1,
    i.level2,
    i.level3,
    i.target_text,
    i.actual_text,
    i.weight,
    i.score,
    i.source_line,
    i.source_ref,
    i.raw_text,
    i.op_text,
    i.measure_unit,
    i.target_adjusted,
    i.coefficient,
    i.weight_share,
    i.converted_score,
    i.review_score,
    i.method,
    i.is_core,
    i.content,
    i.evidence,
    i.target_op,
    i.target_unit
from indicators i
join reports r on r.report_id = i.report_id
join sources_in_scope($scope) s on s.source_id = r.source_id
where ($path_like is null or s.path like $path_like)
      and ($dataset is null or (case when coalesce(s.is_synthetic, false) then 'demo' else 'real' end) = $dataset)
order by s.path, i.report_id, i.seq
