"""Login (dashboard/auth.py): hashed passwords, lock-out after 5 wrong passwords persisted per user, session
expiry, `jixiao user add`; the app behind the login gate (AppTest) shows a 部门 user its own unit only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from app_support import app_db, app_env, assert_ok  # noqa: F401
from query_corpus import EDU, TRANSPORT
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import audit, auth
from dashboard.cli import app as cli

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PASSWORD = "correct-horse-9"


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    auth.add_user(path, "jiaoyu", PASSWORD, auth.DEPARTMENT, (EDU,))
    auth.add_user(path, "caizheng", PASSWORD, auth.BUREAU)
    auth.add_user(path, "admin", PASSWORD, auth.ADMIN)
    return path


def test_passwords_are_stored_as_salted_scrypt_hashes(users):
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text and text.count("scrypt$16384$8$1$") == 3
    _, u = auth.read_config(users)
    assert u["jiaoyu"].scope == (EDU,) and u["caizheng"].scope is None
    assert auth.verify_password(PASSWORD, u["jiaoyu"].password)
    assert not auth.verify_password(PASSWORD + "x", u["jiaoyu"].password)
    assert u["jiaoyu"].password != u["caizheng"].password  # salted


def test_five_wrong_passwords_lock_the_account_across_sessions(users):
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    for _ in range(4):
        assert auth.login(users, "jiaoyu", "wrong", now).message == "用户名或密码错误"
    fifth = auth.login(users, "jiaoyu", "wrong", now)
    assert fifth.locked and fifth.user is None
    # the right password is refused while locked, from any session (the state is in the file beside users.toml)
    assert auth.login(users, "jiaoyu", PASSWORD, now + dt.timedelta(minutes=14)).locked
    assert auth.is_locked(users, "jiaoyu", now + dt.timedelta(minutes=1))
    assert auth.login(users, "jiaoyu", PASSWORD, now + dt.timedelta(minutes=16)).user is not None
    assert auth.login(users, "caizheng", PASSWORD, now).user.role == auth.BUREAU  # per user


def test_sessions_expire():
    at = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    settings = dict(auth.DEFAULTS)
    assert not auth.session_expired(at, settings, at + dt.timedelta(minutes=59))
    assert auth.session_expired(at, settings, at + dt.timedelta(minutes=61))


def test_user_add_cli(tmp_path):
    path = tmp_path / "u.toml"
    r = CliRunner().invoke(
        cli,
        ["user", "add", "jt", "--role", "部门", "--unit", TRANSPORT, "--file", str(path)],
        env={"JIXIAO_PASSWORD": PASSWORD},
    )
    assert r.exit_code == 0, r.output
    assert auth.read_config(path)[1]["jt"].units == (TRANSPORT,)
    r = CliRunner().invoke(
        cli, ["user", "add", "x", "--role", "部门", "--file", str(path)], env={"JIXIAO_PASSWORD": PASSWORD}
    )
    assert r.exit_code == 1  # a 部门 user needs a unit


def _login(at: AppTest, name: str, password: str = PASSWORD) -> None:
    at.text_input(key="_login_name").input(name)
    at.text_input(key="_login_password").input(password)
    at.button[0].click()
    at.run()


def test_the_app_asks_for_a_login_and_scopes_a_department(users, app_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JIXIAO_AUTH", str(users))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"units": TRANSPORT})
    at.run()
    assert not at.exception and not at.get("plotly_chart")  # only the login form
    _login(at, "jiaoyu")
    assert_ok(at)
    assert at.multiselect(key="units").options == [EDU]
    everything = str([e.proto for e in at.get("plotly_chart")] + [m.value for m in at.metric])
    assert TRANSPORT not in everything and "武威市卫生健康委员会" not in everything
    events = [e["event"] for e in audit.read(app_db)]
    assert events[-1] == "login"


def test_wrong_passwords_in_the_app_lock_out(users, app_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JIXIAO_AUTH", str(users))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    for _ in range(5):
        _login(at, "caizheng", "nope")
    assert "锁定" in at.error[0].value
    _login(at, "caizheng")  # the right password now is refused too
    assert "锁定" in at.error[0].value
    assert [e["event"] for e in audit.read(app_db)][-2:] == ["locked", "locked"]
