"""Login and the access scope in a real browser (the Playwright set-up of test_browser.py): a 部门 user sees its
own unit only, even when the URL asks for another unit; a 财政局 user sees every unit; five wrong passwords lock
the account. Run alone with `pytest -m browser tests/test_browser_access.py`."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from query_corpus import EDU, HEALTH, TRANSPORT

from dashboard import auth
from tests.test_browser import (  # noqa: F401 - the browser fixtures
    Server,
    browser_context_args,
    browser_type_launch_args,
    wait_idle,
)

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-9"


@pytest.fixture(scope="module")
def auth_server(query_corpus_db: Path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    users = folder / "users.toml"
    auth.add_user(users, "jiaoyu", PASSWORD, auth.DEPARTMENT, (EDU,))
    auth.add_user(users, "caizheng", PASSWORD, auth.BUREAU)
    auth.add_user(users, "guest", PASSWORD, auth.BUREAU)
    old = os.environ.get(auth.ENV)
    os.environ[auth.ENV] = str(users)
    try:
        s = Server(query_corpus_db, folder / "streamlit.log")
    finally:
        if old is None:
            os.environ.pop(auth.ENV, None)
        else:
            os.environ[auth.ENV] = old
    try:
        s.wait_healthy()
        yield s
    finally:
        s.stop()


def login(page, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    wait_idle(page)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)  # the page behind the login ran
    wait_idle(page)
    page.wait_for_timeout(1000)


def shown(page) -> str:
    """The page's HTML: the chart texts (SVG) and the sidebar included."""
    return page.content()


def test_department_sees_only_its_unit_even_by_url(page, auth_server):
    login(page, f"{auth_server.url}/ranking?units={quote(TRANSPORT)}&year=2022", "jiaoyu")
    page.get_by_text("已登录：jiaoyu").wait_for()
    body = shown(page)
    assert EDU in body
    assert TRANSPORT not in body and HEALTH not in body
    assert page.get_by_text("数据导入").count() == 0  # read-only: no import page


def test_bureau_sees_every_unit(page, auth_server):
    login(page, f"{auth_server.url}/ranking?year=2022", "caizheng")
    page.get_by_text("已登录：caizheng").wait_for()
    body = shown(page)
    assert EDU in body and TRANSPORT in body and HEALTH in body


def test_five_wrong_passwords_lock_out(page, auth_server):
    page.goto(auth_server.url)
    for _ in range(5):
        page.get_by_label("用户名").fill("guest")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        wait_idle(page)
    page.get_by_text("账号已锁定", exact=False).first.wait_for()
    page.get_by_label("用户名").fill("guest")  # the right password is refused now
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    wait_idle(page)
    assert page.get_by_text("账号已锁定", exact=False).count() >= 1
    assert page.get_by_text("已登录").count() == 0
