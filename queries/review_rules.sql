-- One row per review signal: its group, label, default weight in the priority score and its rule in Chinese.
-- label: 复核规则：每项复核信号的分组、名称、默认权重与判定规则
-- params: $dataset VARCHAR = NULL [real|demo], $signal_group VARCHAR = NULL [leniency|target|note|budget],
--   $scope VARCHAR[] = NULL
-- columns: signal, signal_group, group_label, signal_label, default_weight, rule, seq
--
-- Not a selection: the rules are the same for every selection and dataset (the review_rules view in
-- dashboard/sql/review_rules.sql); no rows when the dataset ($dataset, NULL = all) has no forms to review in
-- the access scope ($scope).
with final as (
    select signal, signal_group, group_label, signal_label, default_weight, rule, seq
    from review_rules
    where ($signal_group is null or signal_group = $signal_group)
      and exists (select 1 from selected_forms($dataset, null, null, null, $scope))
)

select * from final
order by seq
