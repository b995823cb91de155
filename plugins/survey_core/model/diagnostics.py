"""Problems found in content, reported as ``file:line:column: message`` plus a hint."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Characters that could end or rewrite an output line (line breaks, escapes, NUL, ...).
_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Text with line breaks and control characters written as escapes, so that a
    file name or a quoted key cannot start a line of its own in the output."""
    return _UNSAFE_RE.sub(lambda m: repr(m.group())[1:-1], text)


def _github_property(text: str) -> str:
    return (text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


ERROR = "error"
WARNING = "warning"
INFO = "info"  # neither an error nor a warning: what a curator may want to do next


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    message: str
    hint: str = ""
    severity: str = ERROR
    column: int = 1

    def format(self) -> str:
        text = (f"{one_line(self.file)}:{self.line}:{self.column}: {self.severity}: "
                f"{one_line(self.message)}")
        if self.hint:
            text += f"\n    hint: {one_line(self.hint)}"
        return text

    def format_github(self) -> str:
        kind = {ERROR: "error", INFO: "notice"}.get(self.severity, "warning")
        msg = self.message + (f" (hint: {self.hint})" if self.hint else "")
        msg = one_line(msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
        return (f"::{kind} file={one_line(_github_property(self.file))},line={self.line},"
                f"col={self.column}::{msg}")

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class ContentError(Exception):
    """Raised when content cannot be used at all; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))
