"""用户与审计日志 (管理员 only): users, lock-outs, the audit log."""

from dashboard import ui

ui.admin_panel()
