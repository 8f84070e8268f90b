"""Collection paths as the callers send them, turned into the one form Globus gets.

Tapis Files sends the whole path as one %2F-encoded segment (`%2F%7E%2Fdata`), tapipy sends
plain segments (`data`); Starlette has already percent-decoded both by the time they reach
a route. What remains: leading and doubled slashes, `~` for the collection's home, and
paths relative to home. `..` is refused so no caller can climb out of where it points, and
a name longer than any file system takes (NAME_MAX, 255 bytes) is refused before Globus
fails on it.
"""

from __future__ import annotations

import enum

HOME = "/~/"
NAME_MAX_BYTES = 255


class PathProblem(enum.Enum):
    NUL = "nul"
    DOT_DOT = "dot-dot"
    NAME_TOO_LONG = "name-too-long"


class PathError(ValueError):
    """A path the service will not send to Globus (worded by errors.inputs.bad_path)."""

    def __init__(self, problem: PathProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def collection_path(raw: str) -> str:
    """Normalise a caller's path: absolute paths stay absolute, others are relative to home.

    `''`, `~`, `/~` and `/~/` all mean home; `a//b` becomes `a/b`; `.` segments go away.
    A trailing slash is kept, since Globus treats `dir/` and `dir` alike.
    """
    if "\x00" in raw:
        raise PathError(PathProblem.NUL)
    absolute = raw.startswith("/")
    segments = [s for s in raw.split("/") if s not in ("", ".")]
    if ".." in segments:
        raise PathError(PathProblem.DOT_DOT)
    if any(len(s.encode("utf-8", "surrogatepass")) > NAME_MAX_BYTES for s in segments):
        raise PathError(PathProblem.NAME_TOO_LONG)
    if segments and segments[0] == "~":
        segments = segments[1:]
        absolute = False
    trailing = raw.endswith("/") and bool(segments)
    body = "/".join(segments) + ("/" if trailing else "")
    return ("/" + body) if absolute else (HOME + body)
