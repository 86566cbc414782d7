-- One row per year (the chosen year and the one before it, when it has forms): the headline figures of a selection of units.
-- label: 选定范围汇总：所选年度（及上年）选定单位的主要数字，供绩效分析报告的摘要使用
-- params: $dataset VARCHAR = NULL [real|demo], $year INTEGER = NULL, $units VARCHAR[] = NULL,
--   $kind VARCHAR = NULL [department|project],
--   $scope VARCHAR[] = NULL
-- ignores: $level1 (headline figures cover whole forms)
-- columns: year, is_selected_year, n_units, n_forms, n_department_forms, n_project_forms, n_synthetic_forms,
--   mean_total, mean_stated_total, mean_recomputed_score, n_forms_without_stated, n_score_gap_flagged,
--   mean_execution_rate_pct, dept_budget_full_year_wan, n_dept_budgets,
--   n_indicators, n_lost_points, points_lost, n_target_missed, n_findings, n_error_findings,
--   n_grade_excellent, n_grade_good, n_grade_fair, n_grade_poor, n_grade_changed
--
-- The figures of overview_kpis in one row per year (both come from the year_stats macro), for the report's
-- summary. $year NULL = the latest year with forms in the selection (chosen_year); $units NULL = all units.
-- See the year_stats macro (dashboard/sql/views.sql) for each figure's definition. Order: the chosen year first.
select *
from year_stats($dataset, $year, $units, $kind, $scope)
order by is_selected_year desc, year desc
