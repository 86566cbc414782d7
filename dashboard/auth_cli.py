"""`jixiao user add|list|unlock`: the users file of the dashboard's login (dashboard/auth.py)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import typer

from dashboard import auth

user_app = typer.Typer(help="看板登录用户：添加、列出、解锁（用户文件见 JIXIAO_AUTH）", no_args_is_help=True)

FileOption = typer.Option(None, "--file", help="用户文件（默认环境变量 JIXIAO_AUTH）")


def _file(file: Path | None) -> Path:
    path = file or auth.configured_path()
    if path is None:
        raise typer.BadParameter("请用 --file 指定用户文件，或设置环境变量 JIXIAO_AUTH")
    return path


@user_app.command("add")
def add(
    name: str = typer.Argument(..., help="用户名"),
    role: str = typer.Option(..., "--role", help="角色：财政局 | 部门 | 管理员"),
    unit: list[str] = typer.Option([], "--unit", help="部门用户可见的单位（可重复）"),
    file: Path | None = FileOption,
) -> None:
    """添加或替换用户；密码从环境变量 JIXIAO_PASSWORD 读取，否则提示输入（只保存 scrypt 哈希）。"""
    password = os.environ.get("JIXIAO_PASSWORD") or getpass.getpass("密码：")
    try:
        user = auth.add_user(_file(file), name, password, role, tuple(unit))
    except auth.AuthError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
    units = f"，单位：{'、'.join(user.units)}" if user.units else ""
    typer.echo(f"已保存用户 {user.name}（{user.role}{units}）")


@user_app.command("list")
def list_users(file: Path | None = FileOption) -> None:
    """列出用户、角色、单位与是否锁定。"""
    path = _file(file)
    _, users = auth.read_config(path)
    for u in users.values():
        locked = "（已锁定）" if auth.is_locked(path, u.name) else ""
        typer.echo(f"{u.name}\t{u.role}\t{'、'.join(u.units)}{locked}")


@user_app.command("unlock")
def unlock(name: str, file: Path | None = FileOption) -> None:
    """解除用户的登录锁定。"""
    auth.unlock(_file(file), name)
    typer.echo(f"已解锁 {name}")
