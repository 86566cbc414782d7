"""数据导入: upload forms; they are loaded into a staged copy of the database at once, and the preview runs the
ordinary queries on that copy (the forms as stored, their grades, the findings over several forms, the effect
on the ranking) before anything changes. 确认 swaps the copy in, 放弃 deletes it."""

import pandas as pd
import streamlit as st

from dashboard import labels, ui

imp = ui.imports

st.title("数据导入")
st.markdown(
    f"上传预算绩效自评表（{'、'.join(imp.TYPES)}），每个文件不超过 {imp.MAX_FILE_MB} MB，一次最多 {imp.MAX_FILES} 个。"
    "上传后先写入数据库的副本并在副本上预览（含与已有数据的交叉核查和对排名的影响），确认后才替换数据库；"
    "导入期间看板照常可用。"
)

state = st.session_state
state.setdefault("import_round", 0)
for key, show in (("import_done", st.success), ("import_notice", st.warning)):
    if key in state:
        show(ui.md_text(state.pop(key)), icon=":material/info:")

# No `type=` filter: the checks below refuse other files with a message in Chinese.
files = st.file_uploader(
    "选择文件（可多选，也可拖放到此处）",
    accept_multiple_files=True,
    key=f"uploader-{state['import_round']}",
    max_upload_size=imp.MAX_FILE_MB,  # the page's own limit, not the server's
)


def files_table(uploads: list, staged: imp.StagedImport | None, forms: pd.DataFrame) -> None:
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
                "status": imp.STATUS.get(status, status),
                "dataset": "示例数据" if u.doc.is_synthetic else "真实数据",
                "encoding": labels.encoding_label(u.doc.encoding),
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
            "encoding": ("编码", "text"),
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
            "stated_total": (labels.SCORE_LABEL, "score"),
            "recomputed_score": (labels.RECOMPUTED_LABEL, "score"),
            "grade": ("等级", "text"),
            "computed_total": (labels.RAW_SUM_LABEL, "score"),
            "execution_rate_pct": ("预算执行率", "pct"),
            "n_lost_points": ("扣分项", "int"),
            "points_lost": ("扣分", "score"),
        },
        "预览_自评表",
        key="import-forms",
    )


def findings_table(forms: pd.DataFrame, db: str) -> None:
    """The findings on the touched units' forms as the copy holds them: those over several forms included."""
    parts = [ui.query("findings_list", sel, db=db) for sel in imp.scopes(forms)]
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


def ranking_table(forms: pd.DataFrame, db: str) -> None:
    """Where the touched units rank before and after the import (the ordinary ranking, on both databases)."""
    rows = []
    for sel in imp.scopes(forms):
        everyone = sel.replace(units=())
        after = ui.query("department_ranking", everyone, db=db).set_index("unit")
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


def commit(staged: imp.StagedImport) -> None:
    with st.status("正在导入…", expanded=True) as status:
        try:
            result = imp.commit(staged)
        except imp.StaleStage:
            status.update(label="数据库已更新，请重新确认", state="error")
            state["import_notice"] = (
                "预览之后数据库已被其他导入更新：已按最新数据重新生成预览，请核对后再确认。"
            )
            st.rerun()
        except imp.DatabaseBusy as e:
            status.update(label="数据库正在写入，未导入", state="error")
            st.error(ui.md_text(e))
            return
        except Exception as e:  # the live database is untouched; say what happened
            status.update(label="导入失败，数据库未改变", state="error")
            st.error(ui.md_text(f"导入失败：{e}"))
            return
        status.update(label="导入完成", state="complete")
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
        f"各页面已使用新数据；上传的文件保存在 {ui.display_path(imp.uploads_folder())}，重建数据库时会一并导入。"
    )
    state.pop("import_parsed", None)
    state["import_round"] += 1
    st.rerun()


def preview_and_commit(files: list) -> None:
    """Check the limits, parse, stage the copy and preview it; commit or discard on the buttons."""
    kept, refused = imp.check_limits(files)
    for message in refused:
        st.error(ui.md_text(message), icon=":material/block:")
    bar = st.progress(0.0, text="正在解析…") if kept else None
    uploads = imp.parse_all(
        kept,
        on_file=lambda i, name: (
            bar
            and bar.progress((i + 1) / len(kept), text=ui.md_text(f"正在解析 {i + 1}/{len(kept)}：{name}"))
        ),
        on_page=lambda name, page, pages: (
            bar
            and bar.progress(
                min(page / pages, 1.0), text=ui.md_text(f"正在识别扫描件 {name}：第 {page}/{pages} 页")
            )
        ),
    )
    if bar:
        bar.empty()
    try:
        with st.spinner("正在写入数据库副本并核查…"):
            staged = imp.staged_for(uploads)
    except imp.DatabaseBusy as e:
        st.error(ui.md_text(e), icon=":material/hourglass_top:")
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
        findings_table(forms, str(staged.path))
        ranking_table(forms, str(staged.path))

    n_ready = staged.result.ok if staged is not None else 0
    row = st.container(horizontal=True, gap="small")
    clicked = row.button(f"确认导入（{n_ready}个文件）", type="primary", disabled=not n_ready)
    discard = row.button("放弃")
    if discard:
        imp.drop_staged()
        state.pop("import_parsed", None)
        state["import_round"] += 1
        st.rerun()
    if clicked and staged is not None:
        commit(staged)


if files:
    preview_and_commit(files)
else:
    imp.drop_staged()
    state.pop("import_parsed", None)
