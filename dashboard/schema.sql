-- Jixiao store schema. Money in 万元 as written; rates and ratios in percent (100 = 100%).
-- IDs are assigned by the single writer (dashboard/store.py); tables carry no constraints so bulk inserts stay fast.

create table if not exists sources (
    source_id    integer,
    path         varchar,
    sha256       varchar,
    format       varchar,
    template     varchar,
    ingested_at  timestamp,
    status       varchar,    -- ok | failed | superseded (its forms were replaced by a newer file)
    error        varchar,
    is_synthetic boolean,    -- generated demo data (示例数据), never real figures
    n_reports    integer,
    notes        varchar     -- parts of the file that were not forms and were skipped, said out loud
);

create table if not exists units (
    unit_id integer,
    name    varchar,
    aliases varchar[]        -- other spellings seen in forms
);

create table if not exists reports (
    report_id                 integer,
    source_id                 integer,
    kind                      varchar,  -- department | project | transfer (central transfer payments)
    year                      integer,
    unit                      varchar,  -- canonical name of the implementing unit
    unit_id                   integer,
    unit_raw                  varchar,  -- as written in the form
    supervisor                varchar,
    project                   varchar,
    project_code              varchar,
    title                     varchar,
    template                  varchar,
    budget_initial            double,
    budget_full_year          double,
    budget_executed           double,
    execution_rate_stated_pct double,
    execution_rate_pct        double,   -- executed / full_year * 100 where both exist
    execution_weight          double,
    execution_score           double,
    stated_total              double,
    stated_weight_total       double,
    computed_total            double,   -- execution_score + sum(indicator scores)
    weight_total              double,   -- execution_weight + sum(indicator weights)
    level1_norms_origin       varchar,  -- notes | default | none (level-1 classes without a known norm)
    source_line               integer,
    is_synthetic              boolean,
    source_ref                varchar,  -- human-readable place: 第3行, Sheet1 第3行, 第2页 …
    -- How sure the reading is (see ingest/form.py): the share of the header's cells that named a column, the
    -- table rows placed without strain out of those seen, and a 0–1 confidence combining them.
    header_share              double,
    rows_seen                 integer,
    rows_placed               integer,
    confidence                double
);

create table if not exists budget_lines (
    report_id                 integer,
    line                      varchar,
    initial                   double,
    full_year                 double,
    executed                  double,
    execution_rate_stated_pct double,
    weight                    double,
    score                     double,
    source_line               integer,
    source_ref                varchar
);

create table if not exists goals (
    report_id    integer,
    seq          integer,
    goal_text    varchar,
    outcome_text varchar
);

create table if not exists indicators (
    indicator_id integer,
    report_id    integer,
    seq          integer,
    level1       varchar,
    level2       varchar,
    level3       varchar,
    target_text  varchar,
    target_op    varchar,   -- >= <= = > < or NULL
    target_value double,
    target_unit  varchar,
    actual_text  varchar,
    actual_value double,
    actual_unit  varchar,
    weight       double,
    score        double,
    note         varchar,
    source_line  integer,
    raw_text     varchar,   -- the row's cells as read, for tracing
    target_met   boolean,   -- numeric actual reaches numeric target; NULL when not comparable
    source_ref   varchar,
    -- Cells some template families have beside the common ones, kept as written (NULL where a form has none).
    op_text         varchar,  -- 指标性质: ≥ ≤ = 定性 定量
    measure_unit    varchar,  -- 度量单位 / 计量单位
    target_adjusted varchar,  -- 调整指标值 (Chongqing)
    coefficient     varchar,  -- 得分系数 (Chongqing)
    weight_share    varchar,  -- 权重占比(%) (Hebei)
    converted_score double,   -- 折算得分 (Hebei)
    review_score    double,   -- 复核分: a reviewer's score, never the unit's own
    method          varchar,  -- 得分计算方法 / 评分标准
    is_core         boolean,  -- 是否核心指标 (Chongqing)
    content         varchar,  -- 评价内容 / 指标解释
    evidence        varchar   -- 需提供的支撑材料 (checklists)
);

create table if not exists findings (
    finding_id   integer,
    report_id    integer,
    indicator_id integer,
    rule         varchar,
    severity     varchar,   -- error | warning | info
    message      varchar,
    source_line  integer,
    source_ref   varchar
);

-- Labelled text around a form's table: 评价结论, 存在问题, 改进措施, 说明, 注, 项目负责人 …
create table if not exists report_notes (
    report_id   integer,
    label       varchar,
    text        varchar,
    source_line integer
);

create table if not exists level1_norms (
    report_id integer,
    level1    varchar,
    weight    double,
    origin    varchar        -- notes (the form's own notes) | default
);

create table if not exists rules (
    rule        varchar,
    severity    varchar,
    description varchar
);

-- ---------------------------------------------------------------------------------------------------------
-- Read-side views used by queries/*.sql. They hold no filters and no aggregation over forms, so every query
-- can still apply its own $dataset / $year / $unit filters before it aggregates. Plain SQL, re-created on open.
-- ---------------------------------------------------------------------------------------------------------

-- The Ministry of Finance grade scale, applied to the unrounded total with half-open bands as 财预〔2020〕10号
-- words it: 90 (inclusive) to 100 优, 80 (inclusive) to 90 良, 60 (inclusive) to 80 中, below 60 差. So 89.5 is 良,
-- and a total above 100 (weights adding up to more than 100) is still 优. A total is in a grade when
-- (min_total is null or total >= min_total) and (max_total is null or total < max_total).
create or replace view grade_scale as
select grade, grade_rank, min_total, max_total
from (values
    ('优', 1, 90.0, null),
    ('良', 2, 80.0, 90.0),
    ('中', 3, 60.0, 80.0),
    ('差', 4, null, 60.0)
) as t (grade, grade_rank, min_total, max_total);

-- One row per form (report) with what every query needs to show it: its label, dataset, source file and the
-- NULL-safe "used" figures: the computed value where it exists, else the stated one, with a *_basis column
-- ('computed' | 'stated') saying which; grades of the stated, computed and used totals from grade_scale.
create or replace view form_facts as
with forms as (
    select
        r.*,
        coalesce(r.computed_total, r.stated_total) as total_used,
        coalesce(r.execution_rate_pct, r.execution_rate_stated_pct) as execution_rate_used_pct
    from reports r
)

select
    f.report_id,
    f.source_id,
    s.path,
    f.source_line,
    f.source_ref,
    case when coalesce(f.is_synthetic, false) then 'demo' else 'real' end as dataset,
    coalesce(f.is_synthetic, false) as is_synthetic,
    f.kind,
    case f.kind when 'department' then '部门整体' when 'project' then '项目' else f.kind end as kind_label,
    f.year,
    f.unit_id,
    coalesce(f.unit, f.unit_raw) as unit,
    f.supervisor,
    f.project,
    f.project_code,
    case when f.kind = 'department' then '部门整体支出' else coalesce(f.project, '（未命名项目）') end as form,
    f.budget_initial as budget_initial_wan,
    f.budget_full_year as budget_full_year_wan,
    f.budget_executed as budget_executed_wan,
    f.execution_rate_stated_pct,
    f.execution_rate_pct as execution_rate_computed_pct,
    f.execution_rate_used_pct,
    case
        when f.execution_rate_pct is not null then 'computed'
        when f.execution_rate_stated_pct is not null then 'stated'
    end as execution_rate_basis,
    f.execution_weight,
    f.execution_score,
    f.stated_total,
    f.computed_total,
    f.total_used,
    case
        when f.computed_total is not null then 'computed'
        when f.stated_total is not null then 'stated'
    end as total_basis,
    f.stated_total - f.computed_total as total_gap,
    f.weight_total,
    f.stated_weight_total,
    gs.grade as stated_grade,
    gc.grade as computed_grade,
    gu.grade as grade
from forms f
left join sources s on s.source_id = f.source_id
left join grade_scale gs
    on (gs.min_total is null or f.stated_total >= gs.min_total)
   and (gs.max_total is null or f.stated_total < gs.max_total)
left join grade_scale gc
    on (gc.min_total is null or f.computed_total >= gc.min_total)
   and (gc.max_total is null or f.computed_total < gc.max_total)
left join grade_scale gu
    on (gu.min_total is null or f.total_used >= gu.min_total)
   and (gu.max_total is null or f.total_used < gu.max_total);

-- One row per indicator with its form's context. points_lost = weight − score (negative when a score exceeds its
-- weight; NULL when either is missing); status drives the colours every page shares:
-- lost_points (points_lost > 0) | target_missed (full score but the numeric actual misses the target) |
-- no_score (weight or score missing) | ok.
create or replace view indicator_facts as
select
    i.indicator_id,
    i.report_id,
    f.dataset,
    f.is_synthetic,
    f.kind,
    f.kind_label,
    f.year,
    f.unit_id,
    f.unit,
    f.project,
    f.form,
    f.path,
    i.seq,
    i.level1,
    i.level2,
    i.level3,
    coalesce(i.level3, '（未命名指标）') as indicator,
    i.target_text,
    i.target_op,
    i.target_value,
    i.target_unit,
    i.actual_text,
    i.actual_value,
    i.actual_unit,
    i.weight,
    i.score,
    i.weight - i.score as points_lost,
    case when i.weight > 0 then i.score / i.weight * 100 end as score_pct,
    i.target_met as is_target_met,
    coalesce(i.weight - i.score > 0.00005, false) as is_lost_points,
    case
        when i.weight - i.score > 0.00005 then 'lost_points'
        when i.target_met = false then 'target_missed'
        when i.weight is null or i.score is null then 'no_score'
        else 'ok'
    end as status,
    i.note,
    i.source_line,
    i.source_ref
from indicators i
join form_facts f on f.report_id = i.report_id;

-- Keyword synonyms for indicator search: a keyword that contains any term of a topic also matches every other
-- term of that topic (热线 finds 接通率, 接听率 and 12345). Add terms here, not in query text.
create or replace view keyword_synonyms as
select topic, term
from (values
    ('hotline', '热线'),
    ('hotline', '12345'),
    ('hotline', '接通率'),
    ('hotline', '接听率'),
    ('satisfaction', '满意度'),
    ('satisfaction', '满意率'),
    ('timeliness', '及时性'),
    ('timeliness', '及时率'),
    ('timeliness', '按时办结率'),
    ('execution', '执行率'),
    ('execution', '支出进度')
) as t (topic, term);
