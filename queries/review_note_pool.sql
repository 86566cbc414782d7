-- One row per indicator with a deviation note, across every year and unit of the dataset: the notes a selected form's notes are compared with.
-- label: 偏差说明比对池：数据集中全部带偏差说明的指标（雷同说明分组用）
-- params: $dataset VARCHAR = NULL [real|demo],
--   $scope VARCHAR[] = NULL
-- columns: indicator_id, report_id, unit_id, unit, year, kind, form, indicator, note
--
-- Not a selection: a note in the selected unit may copy one of a unit or year outside it, so the pool is the
-- whole dataset (dashboard/review/notes.py groups it; review_signals.sql then keeps the selected forms), within
-- the access scope ($scope): a 部门 user's notes are compared with its own units' notes only.
with final as (
    select indicator_id, report_id, unit_id, unit, year, kind, form, indicator, note
    from selected_indicators($dataset, null, null, null, null, $scope)
    where note is not null
      and trim(note) <> ''
)

select * from final
order by unit, year, report_id, indicator_id
