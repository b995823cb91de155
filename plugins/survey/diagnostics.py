"""Problems found in content, reported as ``file:line:column: message`` plus a hint."""

from __future__ import annotations

from dataclasses import dataclass

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
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def format_github(self) -> str:
        kind = {ERROR: "error", INFO: "notice"}.get(self.severity, "warning")
        msg = self.message + (f" (hint: {self.hint})" if self.hint else "")
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{kind} file={self.file},line={self.line},col={self.column}::{msg}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class ContentError(Exception):
    """Raised when content cannot be used at all; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))
