"""The single Finding type every stage produces, and the Problem rules hand to the engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Problem:
    """What a check found, before the engine knows where it sits in the file."""

    pointer: str
    rule: str
    message: str
    severity: str = "error"
    on_key: bool = False  # an unknown or duplicate key is reported at the key, not its value


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    pointer: str
    kind: str | None
    schema_version: int | None
    rule: str
    severity: str
    message: str

    @property
    def schema_label(self) -> str:
        if self.kind is None:
            return "-"
        return f"{self.kind}/v{self.schema_version}" if self.schema_version else self.kind

    def format(self) -> str:
        where = f" (at {self.pointer})" if self.pointer else ""
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity} "
            f"{self.schema_label} {self.rule}: {self.message}{where}"
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)
