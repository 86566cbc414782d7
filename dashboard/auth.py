"""Login for the dashboard (off unless JIXIAO_AUTH names a users file). Pure: no streamlit, no database.

The users file is TOML, written by `jixiao user add`:

    [settings]
    session_minutes = 60     # a login expires this long after it was made
    max_failures = 5         # wrong passwords in a row before the account is locked
    lockout_minutes = 15

    [users.jiaoyu]
    role = "部门"              # 财政局 | 部门 | 管理员
    units = ["武威市教育局"]   # a 部门 user's units: its access scope
    password = "scrypt$16384$8$1$<salt hex>$<hash hex>"

Passwords are stored as hashlib.scrypt hashes with a random salt. Failed attempts are counted per user in a
JSON file beside the users file (`<users file>.state.json`, under an flock), so a lock-out holds across browser
sessions, server restarts and several app processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ENV = "JIXIAO_AUTH"
ROLES = ("财政局", "部门", "管理员")
BUREAU, DEPARTMENT, ADMIN = ROLES
DEFAULTS = {"session_minutes": 60, "max_failures": 5, "lockout_minutes": 15}
_N, _R, _P = 2**14, 8, 1


class AuthError(Exception):
    """A users file that cannot be read or written, or a user that cannot be added."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    units: tuple[str, ...] = ()
    password: str = field(default="", repr=False)

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The access scope of dashboard.selection.Selection: None (all units) except for a 部门 user."""
        return self.units if self.role == DEPARTMENT else None

    @property
    def can_import(self) -> bool:
        return self.role == BUREAU

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def configured_path() -> Path | None:
    """The users file named by JIXIAO_AUTH, None when login is off (the local demo)."""
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def read_config(path: Path) -> tuple[dict[str, int], dict[str, User]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise AuthError(f"无法读取用户文件 {path}：{e}") from e
    settings = {**DEFAULTS, **{k: int(v) for k, v in data.get("settings", {}).items() if k in DEFAULTS}}
    users = {}
    for name, u in data.get("users", {}).items():
        role = u.get("role")
        if role not in ROLES:
            raise AuthError(f"用户文件 {path}：用户 {name} 的角色 {role!r} 无效（可选：{'、'.join(ROLES)}）")
        users[name] = User(name, role, tuple(u.get("units", ())), u.get("password", ""))
    return settings, users


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_config(path: Path, settings: dict[str, int], users: dict[str, User]) -> None:
    lines = ["[settings]", *(f"{k} = {int(v)}" for k, v in settings.items()), ""]
    for u in users.values():
        lines += [
            f"[users.{_toml_str(u.name)}]",
            f"role = {_toml_str(u.role)}",
            "units = [" + ", ".join(_toml_str(x) for x in u.units) + "]",
            f"password = {_toml_str(u.password)}",
            "",
        ]
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_user(path: Path, name: str, password: str, role: str, units: tuple[str, ...] = ()) -> User:
    """Add or replace a user in the users file (created when missing)."""
    if role not in ROLES:
        raise AuthError(f"角色 {role!r} 无效（可选：{'、'.join(ROLES)}）")
    if role == DEPARTMENT and not units:
        raise AuthError("部门用户须指定至少一个单位（--unit）")
    if not name.strip() or len(password) < 8:
        raise AuthError("用户名不能为空，密码至少 8 个字符")
    settings, users = read_config(path) if path.exists() else (dict(DEFAULTS), {})
    user = User(name, role, tuple(units) if role == DEPARTMENT else (), hash_password(password))
    users[name] = user
    write_config(path, settings, users)
    return user


# -- failed attempts, persisted per user --------------------------------------------------------------------------
def _state_path(path: Path) -> Path:
    return path.with_name(path.name + ".state.json")


@contextlib.contextmanager
def _state(path: Path) -> Iterator[dict]:
    state_path = _state_path(path)
    with open(state_path.with_name(state_path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
        except (OSError, ValueError):
            state = {}
        yield state
        tmp = state_path.with_name(f".{state_path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, state_path)


@dataclass(frozen=True)
class Attempt:
    user: User | None
    message: str  # empty on success
    locked: bool = False


def login(path: Path, name: str, password: str, now: dt.datetime | None = None) -> Attempt:
    """Check a name and password; count failures per user and lock the account after max_failures."""
    now = now or dt.datetime.now(dt.UTC)
    settings, users = read_config(path)
    with _state(path) as state:
        entry = state.setdefault(name, {"failures": 0, "locked_until": None})
        until = entry.get("locked_until")
        if until and dt.datetime.fromisoformat(until) > now:
            return Attempt(None, f"账号已锁定，请于 {until[11:16]}（UTC）后再试或联系管理员", locked=True)
        user = users.get(name)
        if user is not None and verify_password(password, user.password):
            entry.update(failures=0, locked_until=None)
            return Attempt(user, "")
        entry["failures"] = int(entry.get("failures", 0)) + 1
        if entry["failures"] >= settings["max_failures"]:
            entry["locked_until"] = (now + dt.timedelta(minutes=settings["lockout_minutes"])).isoformat()
            entry["failures"] = 0
            return Attempt(
                None, f"密码错误次数过多，账号已锁定 {settings['lockout_minutes']} 分钟", locked=True
            )
        return Attempt(None, "用户名或密码错误")


def unlock(path: Path, name: str) -> None:
    with _state(path) as state:
        state.pop(name, None)


def is_locked(path: Path, name: str, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    with _state(path) as state:
        until = state.get(name, {}).get("locked_until")
    return bool(until and dt.datetime.fromisoformat(until) > now)


def session_expired(
    logged_in_at: dt.datetime, settings: dict[str, int], now: dt.datetime | None = None
) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    return now - logged_in_at > dt.timedelta(minutes=settings["session_minutes"])
