"""A plain box-drawn table, fast enough for a history of thousands of days (a pure function).

`compare` prints one row per day; a generic table layout engine spends most of a warm run
measuring cells, so this one only pads strings. Cells are never wrapped: too wide a row is
fitted to the terminal by shortening its widest cells with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ANSI = {"green": "32", "yellow": "33", "red": "31", "magenta": "35", "cyan": "36", "dim": "2"}


@dataclass(frozen=True)
class Column:
    """A column's header and alignment."""

    header: str
    right: bool = False


@dataclass(frozen=True)
class Table:
    """A titled table of text cells, with an optional colour per cell."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    styles: Sequence[dict[int, str]] = ()


def _fit(widths: list[int], limit: int | None) -> list[int]:
    """Shrink the widest columns until the table (borders included) fits in `limit`."""
    if limit is None:
        return widths
    widths = list(widths)
    while sum(widths) + 3 * len(widths) + 1 > limit:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1
    return widths


def _cell(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def render(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    styles: Sequence[dict[int, str]] = (),
    width: int | None = None,
    color: bool = False,
) -> list[str]:
    """The table's lines. `styles[r]` maps a column index to a colour name for row `r` (used
    only with `color`); `width` is the terminal width to fit, None for no limit."""
    natural = [len(c.header) for c in columns]
    for row in rows:
        for i, text in enumerate(row):
            if len(text) > natural[i]:
                natural[i] = len(text)
    widths = _fit(natural, width)
    bar = [("━" * (w + 2)) for w in widths]
    lines = [
        "┏" + "┳".join(bar) + "┓",
        "┃"
        + "┃".join(f" {_cell(c.header, w, c.right)} " for c, w in zip(columns, widths, strict=True))
        + "┃",
        "┡" + "╇".join(bar) + "┩",
    ]
    for r, row in enumerate(rows):
        style = styles[r] if color and r < len(styles) else {}
        cells = []
        for i, (text, column, w) in enumerate(zip(row, columns, widths, strict=True)):
            cell = _cell(text, w, column.right)
            code = ANSI.get(style.get(i, ""))
            cells.append(f" \x1b[{code}m{cell}\x1b[0m " if code else f" {cell} ")
        lines.append("│" + "│".join(cells) + "│")
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return lines
