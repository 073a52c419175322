"""One error type for bad input files: it names the file, the line and the value at fault."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = Path(path), line, message
        where = f"{path} line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class InputErrors(InputError):
    """Every problem of a file at once, so one run shows the user all of them."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.path, first.line, first.message)
        self.args = ("\n".join(str(error) for error in errors),)

    def __str__(self) -> str:
        return self.args[0]


def raise_all(errors: list[InputError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
