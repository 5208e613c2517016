"""Where a key sits in TOML text: tomllib reports lines only for syntax errors, so the
profile checks look the line of a field up here to name it in their messages."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line of ``path`` (e.g. ``("head_unit", 2, "request")``) in TOML text.

    Falls back to the line of the enclosing table when the key itself is absent.
    """
    names = [p for p in path if isinstance(p, str)]
    index = next((p for p in path if isinstance(p, int)), None)
    table, key = (
        (names[0], names[1] if len(names) > 1 else None)
        if len(path) > 1
        else (
            None,
            names[0],
        )
    )
    current: str | None = None
    seen: dict[str, int] = {}
    table_line: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = header.group(2)
            seen[current] = seen.get(current, -1) + 1
            if current == table and (index is None or seen[current] == index):
                table_line = number
            elif table_line is not None and table is not None:
                break
            if table is None:
                break
            continue
        in_place = current == table and (
            current is None or index is None or seen.get(current) == index
        )
        if in_place:
            found = _KEY.match(line)
            if key is None:
                continue
            if found and found.group(1) == key:
                return number
    return None if table is None else table_line
