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
    n_reports    integer
);

create table if not exists units (
    unit_id integer,
    name    varchar,
    aliases varchar[]        -- other spellings seen in forms
);

create table if not exists reports (
    report_id                 integer,
    source_id                 integer,
    kind                      varchar,  -- department | project
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
    level1_norms_origin       varchar,  -- notes | default
    source_line               integer,
    is_synthetic              boolean
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
    source_line               integer
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
    target_met   boolean    -- numeric actual reaches numeric target; NULL when not comparable
);

create table if not exists findings (
    finding_id   integer,
    report_id    integer,
    indicator_id integer,
    rule         varchar,
    severity     varchar,   -- error | warning | info
    message      varchar,
    source_line  integer
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
