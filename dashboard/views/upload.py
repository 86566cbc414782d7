"""数据导入: upload forms, see what was parsed and which findings they raise BEFORE anything is written, then
commit (into a copy of the database that is swapped in) or discard."""

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import labels, load, paths, ui
from dashboard.ingest.parse import parse_bytes
from dashboard.ingest.readers import READERS
from dashboard.ingest.validate import RULES
from dashboard.load import Upload, upload_destination

MAX_FILE_MB = 10
MAX_FILES = 50
TYPES = sorted(s.lstrip(".") for s in READERS)
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}

st.title("数据导入")
st.markdown(
    f"上传预算绩效自评表（{'、'.join(TYPES)}），每个文件不超过 {MAX_FILE_MB} MB，一次最多 {MAX_FILES} 个。"
    "先预览解析结果和核查发现，确认后才写入数据库；导入期间看板照常可用。"
)

state = st.session_state
state.setdefault("import_round", 0)
if "import_done" in state:
    st.success(state.pop("import_done"), icon=":material/check_circle:")

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
    out = []
    bar = st.progress(0.0, text="正在解析…") if len(uploaded) > 1 else None
    for i, file in enumerate(uploaded):
        key = (file.file_id, file.name, file.size)
        if key not in cache:
            data = file.getvalue()
            dest = upload_destination(file.name, paths.uploads_dir(ui.database().path))
            cache[key] = Upload(file.name, data, parse_bytes(dest, data), dest)
        out.append(cache[key])
        if bar:
            bar.progress((i + 1) / len(uploaded), text=f"正在解析 {i + 1}/{len(uploaded)}：{file.name}")
    if bar:
        bar.empty()
    return out


def preview_and_commit(files: list) -> None:
    """Check the limits, parse and show the preview; commit or discard on the buttons."""
    kept, refused = check_limits(files)
    for message in refused:
        st.error(message, icon=":material/block:")
    uploads = parse_all(kept)
    known = set(ui.query("source_files", status="ok")["sha256"]) if ui.database().exists else set()

    overview = pd.DataFrame(
        [
            {
                "name": u.name,
                "status": "解析失败"
                if u.doc.error
                else ("已导入过（内容相同）" if u.sha256 in known else "可导入"),
                "dataset": "示例数据" if u.doc.is_synthetic else "真实数据",
                "forms": len(u.doc.reports),
                "indicators": sum(len(r.indicators) for r in u.doc.reports),
                "findings": sum(len(r.findings) for r in u.doc.reports),
                "error": u.doc.error or "；".join(u.doc.skipped),
            }
            for u in uploads
        ]
    )
    st.subheader("预览")
    ui.table(
        overview,
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

    for u in uploads:
        if u.doc.error or not u.doc.reports:
            continue
        with st.expander(f"{u.name}：{len(u.doc.reports)}张自评表", expanded=len(uploads) == 1):
            forms = pd.DataFrame(
                [
                    {
                        "kind": labels.kind_label(r.kind),
                        "year": r.year,
                        "unit": r.unit,
                        "project": r.project or "—",
                        "indicators": len(r.indicators),
                        "weight_total": r.weight_total,
                        "computed_total": r.computed_total,
                        "stated_total": r.stated_total,
                        "execution_rate": r.execution_rate_pct
                        if r.execution_rate_pct is not None
                        else (r.total_line.execution_rate_stated_pct if r.total_line else None),
                        "lost": sum(
                            1
                            for i in r.indicators
                            if i.weight is not None and i.score is not None and i.weight - i.score > 0.00005
                        ),
                    }
                    for r in u.doc.reports
                ]
            )
            ui.table(
                forms,
                {
                    "kind": ("类型", "text"),
                    "year": ("年度", "int"),
                    "unit": ("单位", "text"),
                    "project": ("项目", "text"),
                    "indicators": ("指标数", "int"),
                    "weight_total": ("分值合计", "score"),
                    "computed_total": ("重新计算总分", "score"),
                    "stated_total": ("填报总分", "score"),
                    "execution_rate": ("预算执行率", "pct"),
                    "lost": ("扣分指标", "int"),
                },
                f"预览_{u.name}_表格",
                key=f"import-forms-{u.name}",
            )
            found = pd.DataFrame(
                [
                    {
                        "form": r.project or "部门整体支出",
                        "severity": SEVERITY.get(x.severity, x.severity),
                        "rule": RULES.get(x.rule, (None, x.rule))[1],
                        "message": x.message,
                        "where": x.source_ref or (f"第{x.source_line}行" if x.source_line else "—"),
                    }
                    for r in u.doc.reports
                    for x in r.findings
                ]
            )
            if found.empty:
                st.caption("没有核查发现。")
            else:
                st.markdown(f"**核查发现 {len(found)} 条**")
                ui.table(
                    found,
                    {
                        "form": ("自评表", "text"),
                        "severity": ("级别", "text"),
                        "rule": ("规则", "text"),
                        "message": ("说明", "long"),
                        "where": ("位置", "text"),
                    },
                    f"预览_{u.name}_核查发现",
                    key=f"import-findings-{u.name}",
                )

    ready = [u for u in uploads if u.doc.error is None and u.sha256 not in known]
    row = st.container(horizontal=True, gap="small")
    commit = row.button(f"确认导入（{len(ready)}个文件）", type="primary", disabled=not ready)
    discard = row.button("放弃")

    if discard:
        state.pop("import_parsed", None)
        state["import_round"] += 1
        st.rerun()

    if commit:
        with st.status("正在导入…", expanded=True) as status:
            bar = st.progress(0.0)

            def step(message: str, fraction: float) -> None:
                bar.progress(fraction, text=message)

            try:
                step("写入数据库副本", 0.3)
                staged = load.stage_uploads(ui.database().path, ready)
                step("切换到新数据库", 0.9)
                result = load.commit(staged)
                step("完成", 1.0)
            except Exception as e:  # the live database is untouched; say what happened
                status.update(label="导入失败，数据库未改变", state="error")
                st.error(f"导入失败：{e}")
                return
            status.update(label="导入完成", state="complete")
        ui.clear_caches()
        failed = (
            f"；失败 {len(result.failed)} 个：{'；'.join(r.error or r.path for r in result.failed)}"
            if result.failed
            else ""
        )
        years = sorted({r.year for u in ready for r in u.doc.reports if r.year})
        years_text = f"（{'、'.join(map(str, years))}年，可在侧栏“年度”中选择）" if years else ""
        state["import_done"] = (
            f"已导入 {result.ok} 个文件{years_text}："
            f"{result.reports} 张自评表、{result.indicators} 个指标、"
            f"{result.findings} 条核查发现{failed}。"
            f"各页面已使用新数据；上传的文件保存在 {ui.display_path(paths.uploads_dir(ui.database().path))}，重建数据库时会一并导入。"
        )
        state.pop("import_parsed", None)
        state["import_round"] += 1
        st.rerun()


if files:
    preview_and_commit(files)
else:
    state.pop("import_parsed", None)
