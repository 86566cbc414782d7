"""数据导入: upload forms; they are loaded into a staged copy of the database at once, and the preview runs the
ordinary queries on that copy (the forms as stored, their grades, the findings over several forms, the effect
on the ranking) before anything changes. 确认 swaps the copy in, 放弃 deletes it."""

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import labels, load, paths, ui
from dashboard.ingest.parse import parse_bytes
from dashboard.ingest.readers import READERS
from dashboard.load import Upload, upload_destination
from dashboard.selection import Selection

MAX_FILE_MB = 10
MAX_FILES = 50
TYPES = sorted(s.lstrip(".") for s in READERS)
STATUS = {
    "ok": "可导入",
    "replaced": "可导入（替换同名文件的旧版本）",
    "unchanged": "已导入过（内容相同）",
    "superseded": "可导入（其中的表被本次后面的文件替换）",
    "failed": "解析失败",
}

st.title("数据导入")
st.markdown(
    f"上传预算绩效自评表（{'、'.join(TYPES)}），每个文件不超过 {MAX_FILE_MB} MB，一次最多 {MAX_FILES} 个。"
    "上传后先写入数据库的副本并在副本上预览（含与已有数据的交叉核查和对排名的影响），确认后才替换数据库；"
    "导入期间看板照常可用。"
)

state = st.session_state
state.setdefault("import_round", 0)
for key, show in (("import_done", st.success), ("import_notice", st.warning)):
    if key in state:
        show(state.pop(key), icon=":material/info:")

# No `type=` filter: the checks below refuse other files with a message in Chinese.
files = st.file_uploader(
    "选择文件（可多选，也可拖放到此处）", accept_multiple_files=True, key=f"uploader-{state['import_round']}"
)


def check_limits(uploaded: list) -> tuple[list, list[str]]:
    """The files within the limits, and a Chinese message for each one refused."""
    kept, refused = [], []
    for i, file in enumerate(uploaded):
        suffix = Path(file.name).suffix.lower()
        if i >= MAX_FILES:
            refused.append(f"“{file.name}”：一次最多上传 {MAX_FILES} 个文件，其余文件未处理，请分批上传。")
        elif suffix not in READERS:
            refused.append(
                f"“{file.name}”：不支持的文件类型“{suffix or '无扩展名'}”（支持：{'、'.join(TYPES)}）。"
            )
        elif file.size > MAX_FILE_MB * 1024 * 1024:
            refused.append(
                f"“{file.name}”：文件大小 {file.size / 1024 / 1024:.1f} MB，超过上限 {MAX_FILE_MB} MB。"
            )
        elif file.size == 0:
            refused.append(f"“{file.name}”：文件是空的。")
        else:
            kept.append(file)
    return kept, refused


def parse_all(uploaded: list) -> list[Upload]:
    cache = state.setdefault("import_parsed", {})
    folder = paths.uploads_dir(ui.database().path)
    out = []
    bar = st.progress(0.0, text="正在解析…") if len(uploaded) > 1 else None
    for i, file in enumerate(uploaded):
        key = (file.file_id, file.name, file.size)
        if key not in cache:
            data = file.getvalue()
            dest = upload_destination(file.name, folder)
            cache[key] = Upload(file.name, data, parse_bytes(dest, data), dest)
        out.append(cache[key])
        if bar:
            bar.progress((i + 1) / len(uploaded), text=f"正在解析 {i + 1}/{len(uploaded)}：{file.name}")
    if bar:
        bar.empty()
    return out


def drop_staged() -> None:
    """放弃, or another set of files: delete the staged copy (the database was never touched)."""
    held = state.pop("import_staged", None)
    if held is not None:
        ui.close_reader(held[1].path)
        load.discard(held[1])


def staged_for(uploads: list[Upload]) -> load.StagedImport | None:
    """The staged copy holding exactly these uploads (made once per set of files)."""
    key = tuple((u.name, u.sha256) for u in uploads)
    held = state.get("import_staged")
    if held is not None and held[0] == key and held[1].path.exists():
        return held[1]
    drop_staged()
    if not any(u.doc.error is None for u in uploads):
        return None
    with st.spinner("正在写入数据库副本并核查…"):
        staged = load.stage_uploads(ui.database().path, uploads, wait=5)
    state["import_staged"] = (key, staged)
    return staged


def files_table(uploads: list[Upload], staged: load.StagedImport | None, forms: pd.DataFrame) -> None:
    by_path = {r.path: r for r in staged.result.files} if staged else {}
    per_file = forms.groupby("path").agg(
        forms=("report_id", "size"), indicators=("n_indicators", "sum"), findings=("n_findings", "sum")
    )
    rows = []
    for u in uploads:
        result = by_path.get(str(u.dest))
        status = "failed" if u.doc.error else (result.status if result else "failed")
        counts = per_file.loc[str(u.dest)] if str(u.dest) in per_file.index else None
        rows.append(
            {
                "name": u.name,
                "status": STATUS.get(status, status),
                "dataset": "示例数据" if u.doc.is_synthetic else "真实数据",
                "forms": int(counts["forms"]) if counts is not None else 0,
                "indicators": int(counts["indicators"]) if counts is not None else 0,
                "findings": int(counts["findings"]) if counts is not None else 0,
                "error": u.doc.error or "；".join(u.doc.skipped),
            }
        )
    ui.table(
        pd.DataFrame(rows),
        {
            "name": ("文件", "text"),
            "status": ("状态", "text"),
            "dataset": ("数据集", "text"),
            "forms": ("自评表", "int"),
            "indicators": ("指标", "int"),
            "findings": ("核查发现", "int"),
            "error": ("说明", "long"),
        },
        "导入预览",
        key="import-files",
    )


def forms_table(forms: pd.DataFrame) -> None:
    st.markdown("**导入后的自评表**")
    ui.table(
        forms,
        {
            "file_name": ("文件", "text"),
            "kind_label": ("类型", "text"),
            "year": ("年度", "int"),
            "unit": ("单位", "text"),
            "form": ("自评表", "text"),
            "n_indicators": ("指标数", "int"),
            "weight_total": ("分值合计", "score"),
            "computed_total": ("重新计算总分", "score"),
            "stated_total": ("填报总分", "score"),
            "grade": ("等级", "text"),
            "execution_rate_pct": ("预算执行率", "pct"),
            "n_lost_points": ("扣分项", "int"),
            "points_lost": ("扣分", "score"),
        },
        "预览_自评表",
        key="import-forms",
    )


def scopes(forms: pd.DataFrame) -> list[Selection]:
    """One selection per year the uploads touch: their units, their dataset (both when mixed)."""
    out = []
    for year, part in forms[forms["year"].notna()].groupby("year"):
        datasets = set(part["dataset"])
        dataset = datasets.pop() if len(datasets) == 1 else None
        out.append(
            Selection(dataset=dataset, year=int(year), units=tuple(sorted(set(part["unit"].dropna()))))
        )
    return out


def findings_table(forms: pd.DataFrame, db: Path) -> None:
    """The findings on the touched units' forms as the copy holds them: those over several forms included."""
    parts = [ui.query("findings_list", sel, db=str(db)) for sel in scopes(forms)]
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if found.empty:
        st.caption("没有核查发现。")
        return
    found["is_new"] = found["report_id"].isin(set(forms["report_id"]))
    found["severity_label"] = found["severity"].map(labels.severity_label)
    found["where"] = [ui.source_text(p, ln) for p, ln in zip(found["path"], found["source_line"])]
    st.markdown(f"**核查发现 {len(found)} 条**（所涉单位当年的全部表格，含与已有数据的交叉核查）")
    ui.table(
        found,
        {
            "unit": ("单位", "text"),
            "form": ("自评表", "text"),
            "is_new": ("本次上传", "bool"),
            "severity_label": ("级别", "text"),
            "description": ("规则", "text"),
            "message": ("说明", "long"),
            "where": ("位置", "text"),
        },
        "预览_核查发现",
        key="import-findings",
    )


def ranking_table(forms: pd.DataFrame, db: Path) -> None:
    """Where the touched units rank before and after the import (the ordinary ranking, on both databases)."""
    rows = []
    for sel in scopes(forms):
        everyone = sel.replace(units=())
        after = ui.query("department_ranking", everyone, db=str(db)).set_index("unit")
        before = (
            ui.query("department_ranking", everyone).set_index("unit")
            if ui.database().exists
            else after.iloc[0:0]
        )
        for unit in sel.units:
            if unit not in after.index:
                continue
            rows.append(
                {
                    "year": sel.year,
                    "unit": unit,
                    "rank_before": before["rank"].get(unit),
                    "rank_after": after.loc[unit, "rank"],
                    "n_ranked": after.loc[unit, "n_ranked"],
                    "total_before": before["unit_total"].get(unit),
                    "total_after": after.loc[unit, "unit_total"],
                    "grade_after": after.loc[unit, "grade"],
                }
            )
    if not rows:
        return
    st.markdown("**对单位排名的影响**（按重新计算的单位得分，同一数据集内排名）")
    ui.table(
        pd.DataFrame(rows),
        {
            "year": ("年度", "int"),
            "unit": ("单位", "text"),
            "rank_before": ("导入前名次", "int"),
            "rank_after": ("导入后名次", "int"),
            "n_ranked": ("参与排名单位", "int"),
            "total_before": ("导入前得分", "score"),
            "total_after": ("导入后得分", "score"),
            "grade_after": ("导入后等级", "text"),
        },
        "预览_排名影响",
        key="import-ranking",
    )


def commit(staged: load.StagedImport) -> None:
    with st.status("正在导入…", expanded=True) as status:
        try:
            result = load.commit(staged, wait=5)
        except load.StaleStage:
            drop_staged()
            status.update(label="数据库已更新，请重新确认", state="error")
            state["import_notice"] = (
                "预览之后数据库已被其他导入更新：已按最新数据重新生成预览，请核对后再确认。"
            )
            st.rerun()
        except load.DatabaseBusy as e:
            status.update(label="数据库正在写入，未导入", state="error")
            st.error(str(e))
            return
        except Exception as e:  # the live database is untouched; say what happened
            status.update(label="导入失败，数据库未改变", state="error")
            st.error(f"导入失败：{e}")
            return
        status.update(label="导入完成", state="complete")
    ui.close_reader(staged.path)
    state.pop("import_staged", None)
    ui.clear_caches()
    failed = (
        f"；失败 {len(result.failed)} 个：{'；'.join(r.error or r.path for r in result.failed)}"
        if result.failed
        else ""
    )
    years = sorted({r.year for u in staged.uploads for r in u.doc.reports if r.year})
    years_text = f"（{'、'.join(map(str, years))}年，可在侧栏“年度”中选择）" if years else ""
    state["import_done"] = (
        f"已导入 {result.ok} 个文件{years_text}：{result.reports} 张自评表、{result.indicators} 个指标、"
        f"{result.findings} 条核查发现{failed}。"
        f"各页面已使用新数据；上传的文件保存在 {ui.display_path(paths.uploads_dir(ui.database().path))}，"
        "重建数据库时会一并导入。"
    )
    state.pop("import_parsed", None)
    state["import_round"] += 1
    st.rerun()


def preview_and_commit(files: list) -> None:
    """Check the limits, parse, stage the copy and preview it; commit or discard on the buttons."""
    kept, refused = check_limits(files)
    for message in refused:
        st.error(message, icon=":material/block:")
    uploads = parse_all(kept)
    try:
        staged = staged_for(uploads)
    except load.DatabaseBusy as e:
        st.error(str(e), icon=":material/hourglass_top:")
        return
    if staged is not None:
        paths_ok = [str(u.dest) for u in uploads if u.doc.error is None]
        forms = ui.query("file_forms", db=str(staged.path), paths=paths_ok)
    else:
        forms = pd.DataFrame(columns=["path", "report_id", "n_indicators", "n_findings"])

    st.subheader("预览")
    if staged is not None:
        st.caption(
            "以下为写入数据库副本后的结果，用的是各页面相同的查询；确认后副本替换数据库，放弃则删除副本。"
        )
    files_table(uploads, staged, forms)
    if staged is not None and len(forms):
        forms_table(forms)
        findings_table(forms, staged.path)
        ranking_table(forms, staged.path)

    ready = staged is not None and staged.result.ok > 0
    row = st.container(horizontal=True, gap="small")
    clicked = row.button(
        f"确认导入（{staged.result.ok if ready else 0}个文件）", type="primary", disabled=not ready
    )
    discard = row.button("放弃")
    if discard:
        drop_staged()
        state.pop("import_parsed", None)
        state["import_round"] += 1
        st.rerun()
    if clicked and staged is not None:
        commit(staged)


if files:
    preview_and_commit(files)
else:
    drop_staged()
    state.pop("import_parsed", None)
