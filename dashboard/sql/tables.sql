-- Jixiao store schema: the tables (the schema contract). Money in 万元 as written; rates and ratios in percent
-- (100 = 100%). IDs are assigned by the single writer (dashboard/load/store.py); tables carry no constraints so
-- bulk inserts stay fast. This file is fingerprinted (dashboard/schema.py): a database built from another
-- version of it is rebuilt, never half-migrated. The read-side views and macros are in views.sql and are
-- created by every reader on open, so changing them never forces a re-ingest.

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
    encoding     varchar,    -- the text encoding a text or web file was decoded from (utf-8, gb18030, utf-16-le …)
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

-- Written by the writer: schema_version (the fingerprint of this file), base_generation (the file a staged copy
-- was made from, so a copy left by a killed writer can be taken over).
create table if not exists meta (
    key   varchar,
    value varchar
);

-- 复核 status of a form (issue 16), set on the 复核清单 page: one row per change, never updated, so the latest
-- row of a form_key is its status and the rows before it are its history. form_key names the form across
-- rebuilds (report ids change): dataset|unit|year|kind|project (the review_form_key macro). Each row is also
-- appended to a log beside the database (dashboard/load/marks.py), which a rebuilt database is filled from.
create table if not exists review_marks (
    form_key  varchar,
    report_id integer,      -- the form's id when the mark was set (for tracing only)
    status    varchar,      -- 待复核 | 已复核 | 有问题
    reviewer  varchar,      -- who set it, as they gave their name
    marked_at timestamp,
    comment   varchar
);
