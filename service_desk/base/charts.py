"""Server-drawn SVG chart primitives shared by every chart: plain functions returning markup,
no JavaScript.

Conventions: an inline <svg role="img"> with a <title> and <desc>, sizes in viewBox units (the
SVG scales to its box; at 360 px wide the 18-unit text renders at about 16 px, about 20 px in
elder mode, drawn on a narrower viewBox), colours as presentation attributes (the CSP forbids
style=), every label escaped, and each chart's numbers repeated in a table next to it.

The horizontal bar chart lives here too: a bar per row, the label (wrapped on up to two
lines) above the bar and the value in words at its right, so long names fit at 360 px and the
height grows with the rows.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
ELDER_WIDTH = 288  # elder mode: fewer units across, so the same text renders 25% larger
FONT = 18
LINE = 23  # label line height
BAR_H = 22
ROW_GAP = 18  # between one row's bar and the next row's label
INK = "#1b1b1b"
FILL = "#0b4f9c"  # link blue, 8:1 on white
TRACK = "#e5e1da"
EDGE = "#6b6b6b"  # 5.3:1 on white: the empty track's outline is visible


@dataclass(frozen=True)
class Bar:
    label: str
    fraction: float  # 0..1: how much of the track is filled
    value_text: str


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def text_width(text: str, size: int = FONT) -> float:
    """Rough rendered width: CJK and full-width characters are 1 em, others about 0.6 em."""
    return sum(size * (1.0 if _is_wide(ch) else 0.6) for ch in text)


def fit(text: str, width: float, size: int = FONT) -> str:
    """Cut text with an ellipsis so it fits width (the table beside the chart has it whole)."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out.rstrip() + "…"


def _tokens(text: str) -> list[str]:
    """Break points: after every CJK character, after spaces in other scripts."""
    tokens: list[str] = []
    for ch in text:
        if _is_wide(ch) or not tokens or tokens[-1].endswith(" ") or _is_wide(tokens[-1][-1]):
            tokens.append(ch)
        else:
            tokens[-1] += ch
    return tokens


def wrap(text: str, widths: Sequence[float], size: int = FONT) -> list[str]:
    """Greedy wrap into len(widths) lines of the given widths; the last one is cut to fit."""
    lines: list[str] = []
    rest = _tokens(text)
    for i, width in enumerate(widths):
        if not rest:
            break
        if i == len(widths) - 1:
            lines.append(fit("".join(rest).strip(), width, size))
            break
        line = ""
        while rest and text_width((line + rest[0]).rstrip(), size) <= width:
            line += rest.pop(0)
        if not line:  # one word longer than the line: cut it
            line = fit(rest.pop(0), width, size)
        lines.append(line.rstrip())
    return lines


def num(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(chart_id: str, title: str, desc: str, width: int, height: float,
        body: Sequence[str]) -> Markup:
    """The <svg role="img"> around ``body``, named by its <title> and described by its <desc>."""
    cid = escape(chart_id)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" role="img" '
            f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {num(height)}" '
            f'width="100%" focusable="false"><title id="{cid}-title">{escape(title)}</title>'
            f'<desc id="{cid}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, desc: str,
              width: int = WIDTH) -> Markup:
    """A horizontal bar chart: each row the label on up to two lines (the value in words at
    the right of the first), then the bar. The SVG's height is the sum of its rows."""
    rows, top = [], 0
    for bar in bars:
        value_w = text_width(bar.value_text)
        lines = wrap(bar.label, [width - value_w - 12, width]) or [""]
        fraction = min(1.0, max(0.0, bar.fraction))
        track_w = width - 2
        fill_w = max(3.0, fraction * track_w) if fraction > 0 else 0.0
        bar_y = top + len(lines) * LINE + 6
        part = [(f'<g><text x="{width}" y="{top + FONT}" font-size="{FONT}" font-weight="700" '
                f'text-anchor="end" fill="{INK}">{escape(bar.value_text)}</text>')]
        part += [f'<text x="0" y="{top + FONT + i * LINE}" font-size="{FONT}" fill="{INK}">'
                 f'{escape(line)}</text>' for i, line in enumerate(lines)]
        part.append(f'<rect x="1" y="{bar_y}" width="{track_w}" height="{BAR_H}" rx="4" '
                    f'fill="{TRACK}" stroke="{EDGE}" stroke-width="1"/>')
        if fill_w:
            part.append(f'<rect x="1" y="{bar_y}" width="{num(fill_w)}" height="{BAR_H}" '
                        f'rx="4" fill="{FILL}"/>')
        part.append("</g>")
        rows.append("".join(part))
        top = bar_y + BAR_H + ROW_GAP
    return svg(chart_id, title, desc, width, max(1, top - ROW_GAP + 2), rows)
