"""The login gate (dashboard/auth.py; only when JIXIAO_AUTH names a users file), the pages each role sees, the
access scope every query is bound with, and the 管理员 page's work (users, audit log)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import audit, auth, paths
from dashboard.ui.text import md_text

_KEY = "_auth_user"
DEPARTMENT_HIDDEN = ("import", "review")  # a 部门 user is read-only: no import, no 复核 marks


def current_user() -> auth.User | None:
    entry = st.session_state.get(_KEY)
    return entry[0] if entry else None


def current_scope() -> tuple[str, ...] | None:
    """The access scope of this session: None when login is off or for 财政局 / 管理员."""
    if auth.configured_path() is None:
        return None
    user = current_user()
    if user is None:
        return ()  # not logged in: nothing (the gate stops the page before any query anyway)
    return user.scope


def record(event: str, selection: str = "", detail: object = None) -> None:
    user = current_user()
    if user is not None:
        audit.record(paths.default_db(), user.name, user.role, event, selection, detail)


def gate() -> auth.User | None:
    """Return the logged-in user (None when login is off); otherwise draw the login form and stop the run."""
    path = auth.configured_path()
    if path is None:
        return None
    settings, _ = auth.read_config(path)
    entry = st.session_state.get(_KEY)
    if entry and not auth.session_expired(entry[1], settings):
        user = entry[0]
        st.sidebar.caption(md_text(f"已登录：{user.name}（{user.role}）"))
        if st.sidebar.button("退出登录", key="_logout"):
            record("logout")
            del st.session_state[_KEY]
            st.rerun()
        return user
    if entry:
        st.session_state.pop(_KEY, None)
        st.info("登录已过期，请重新登录。")
    with st.form("login"):
        st.subheader("登录绩效看板")
        name = st.text_input("用户名", key="_login_name")
        password = st.text_input("密码", type="password", key="_login_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        attempt = auth.login(path, name, password)
        db = paths.default_db()
        if attempt.user is not None:
            st.session_state[_KEY] = (attempt.user, dt.datetime.now(dt.UTC))
            audit.record(db, attempt.user.name, attempt.user.role, "login")
            st.rerun()
        audit.record(db, name, "", "locked" if attempt.locked else "login_failed", detail=attempt.message)
        st.error(md_text(attempt.message))
    st.stop()


def allowed_pages(pages: dict, user: auth.User | None) -> dict:
    """The pages a role sees: 财政局 all data pages, 部门 the read-only ones, 管理员 the admin page only."""
    if user is None:
        return {k: v for k, v in pages.items() if k != "admin"}
    if user.is_admin:
        return {k: v for k, v in pages.items() if k == "admin"}
    if user.role == auth.DEPARTMENT:
        return {k: v for k, v in pages.items() if k not in (*DEPARTMENT_HIDDEN, "admin")}
    return {k: v for k, v in pages.items() if k != "admin"}


def admin_panel() -> None:
    """The 管理员 page: users (role, units, locked) with unlock, and the audit log, newest first."""
    user = current_user()
    path = auth.configured_path()
    if user is None or not user.is_admin or path is None:
        st.error("只有管理员可以查看此页。")
        return
    _, users = auth.read_config(path)
    st.subheader("用户")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "用户": u.name,
                    "角色": u.role,
                    "单位": "、".join(u.units),
                    "锁定": auth.is_locked(path, u.name),
                }
                for u in users.values()
            ]
        ),
        hide_index=True,
    )
    locked = [u.name for u in users.values() if auth.is_locked(path, u.name)]
    if locked:
        who = st.selectbox("解锁用户", locked, key="_unlock_who")
        if st.button("解锁", key="_unlock"):
            auth.unlock(path, who)
            audit.record(paths.default_db(), user.name, user.role, "unlock", detail=who)
            st.rerun()
    st.subheader("审计日志")
    events = list(reversed(audit.read(paths.default_db())))
    frame = pd.DataFrame(events, columns=["at", "user", "role", "event", "selection", "detail"])
    frame["event"] = frame["event"].map(lambda e: audit.EVENTS.get(e, e))
    frame.columns = ["时间（UTC）", "用户", "角色", "事件", "筛选范围", "详情"]
    st.dataframe(frame.astype(str), hide_index=True)
