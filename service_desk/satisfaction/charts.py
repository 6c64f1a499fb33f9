"""Server-drawn SVG charts of the rating rates, with the configured targets (if any) as
reference lines.

The conventions and primitives of base/charts.py, shared with the public board: an inline
<svg role="img"> with <title> and <desc>, sizes in viewBox units, presentation attributes
only (the CSP forbids style=), every label escaped, and the numbers repeated in a table after
the chart. Two rates are told apart by the marker shape
and line pattern as well as the colour, and a legend names them.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..base.charts import EDGE, FILL, FONT, INK, LINE, TRACK, WIDTH, num, svg, wrap
from ..ratings.stats import Targets
from .display import MonthPoint, percent, short_month, year_label

SMALL = 16
NO_TARGETS = Targets()
SECOND = "#a4262c"  # the good-rating rate: dark red, 7:1 on white
PLOT_H = 200
BAR = 16
VALUE_W = 72  # room right of the bars for "100.0%"


def _text(x: float, y: float, text: str, *, size: int = FONT, anchor: str = "start",
          weight: str | None = None, cls: str | None = None, halo: bool = False) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' class="{cls}"' if cls else ""
    # a white outline under the letters keeps a label readable where a data line crosses it
    extra += ' stroke="#ffffff" stroke-width="5" stroke-linejoin="round" paint-order="stroke"' \
        if halo else ""
    return (f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{INK}"{extra}>{escape(text)}</text>')


def _marker(x: float, y: float, *, second: bool) -> str:
    if second:
        return (f'<rect x="{num(x - 5)}" y="{num(y - 5)}" width="10" height="10" '
                f'fill="{SECOND}"/>')
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="5" fill="{FILL}"/>'


def _line_legend(y: float) -> list[str]:
    """Two lines: ● solid = evaluation rate, ■ dashed = good-rating rate."""
    out = []
    for i, (label, second) in enumerate(((_("Evaluation rate"), False),
                                         (_("Good-rating rate"), True))):
        base = y + i * LINE
        mid = base - 6
        dash = ' stroke-dasharray="8 5"' if second else ""
        out.append(f'<line x1="0" y1="{num(mid)}" x2="30" y2="{num(mid)}" '
                   f'stroke="{SECOND if second else FILL}" stroke-width="3"{dash}/>')
        out.append(_marker(15, mid, second=second))
        out.append(_text(38, base, label))
    return out


def _reference(x1: float, x2: float, y: float, cls: str) -> str:
    return (f'<line class="{cls}" x1="{num(x1)}" y1="{num(y)}" x2="{num(x2)}" y2="{num(y)}" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>')


def target_label(rate: float) -> str:
    return _("target %(p)s", p=f"{rate * 100:.0f}%")


def _targets_desc(targets: Targets) -> str:
    """How the chart's description names the reference lines: only those that are set."""
    named = [target_label(t) for t in (targets.evaluation, targets.good) if t is not None]
    if not named:
        return _("No target is set, so no reference line is drawn.")
    return _("The dashed lines are the targets set for this site: %(targets)s.",
             targets=", ".join(named))


def trend_chart(points: Sequence[MonthPoint], *, chart_id: str = "chart-rating-months",
                width: int = WIDTH, targets: Targets = NO_TARGETS) -> Markup:
    """Both rates month by month (oldest left) on a 0–100% scale, with dashed horizontal
    reference lines at the targets that are set; a month with nothing to divide has no point."""
    body = _line_legend(FONT)
    top = FONT + LINE + 26
    x0, x1 = 52.0, width - 4.0
    bottom = top + PLOT_H

    def y_of(rate: float) -> float:
        return top + (1 - rate) * PLOT_H

    for rate in (0.0, 0.5, 1.0):
        colour = EDGE if rate == 0 else TRACK
        body.append(f'<line x1="{num(x0)}" y1="{num(y_of(rate))}" x2="{num(x1)}" '
                    f'y2="{num(y_of(rate))}" stroke="{colour}" stroke-width="1"/>')
        body.append(_text(x0 - 6, y_of(rate) + 5, f"{rate * 100:.0f}%", size=SMALL, anchor="end"))
    # the targets: lines under the data, their labels (99% above its line, 80% below its
    # line) drawn last, over it
    labels = []
    if targets.good is not None:
        body.append(_reference(x0, x1, y_of(targets.good), "target-good"))
        labels.append(_text(x1, y_of(targets.good) - 6, target_label(targets.good),
                            size=SMALL, anchor="end", weight="700", halo=True))
    if targets.evaluation is not None:
        body.append(_reference(x0, x1, y_of(targets.evaluation), "target-evaluation"))
        labels.append(_text(x1, y_of(targets.evaluation) + 19, target_label(targets.evaluation),
                            size=SMALL, anchor="end", weight="700", halo=True))

    n = max(1, len(points))
    step = (x1 - x0) / n
    xs = [x0 + (i + 0.5) * step for i in range(len(points))]
    for second in (False, True):
        rates = [p.figures.good_rating_rate if second else p.figures.evaluation_rate
                 for p in points]
        colour = SECOND if second else FILL
        dash = ' stroke-dasharray="8 5"' if second else ""
        segment: list[str] = []
        for x, rate in [*zip(xs, rates), (None, None)]:
            if rate is None:
                if len(segment) > 1:
                    body.append(f'<polyline points="{" ".join(segment)}" fill="none" '
                                f'stroke="{colour}" stroke-width="3"{dash}/>')
                segment = []
                continue
            segment.append(f"{num(x)},{num(y_of(rate))}")
        body += [_marker(x, y_of(rate), second=second) for x, rate in zip(xs, rates)
                 if rate is not None]

    every = max(1, math.ceil(len(points) / max(1, int((x1 - x0) // 52))))
    last_year = None
    for i, point in enumerate(points):
        if i % every:
            continue
        body.append(_text(xs[i], bottom + 20, short_month(point.month), size=SMALL,
                          anchor="middle"))
        if point.month.year != last_year:
            body.append(_text(xs[i], bottom + 40, year_label(point.month), size=SMALL,
                              anchor="middle"))
            last_year = point.month.year
    body += labels
    return svg(chart_id, _("Evaluation rate and good-rating rate by month"),
               _("One point per month of completion for each rate, on a scale from %(low)s to "
                 "%(high)s. A month with nothing to divide has no point. The numbers are also "
                 "in the table below the chart.", low="0%", high="100%")
               + " " + _targets_desc(targets),
               width, bottom + 48, body)


@dataclass(frozen=True)
class RateBars:
    label: str
    evaluation_rate: float | None
    good_rating_rate: float | None


def rates_bar_chart(rows: Sequence[RateBars], *, chart_id: str, title: str,
                    width: int = WIDTH, targets: Targets = NO_TARGETS) -> Markup:
    """Two bars per row (evaluation rate, then good-rating rate) on a 0–100% track, with
    dashed vertical reference lines at the targets across every row."""
    track = width - 2 - VALUE_W

    def x_of(rate: float) -> float:
        return 1 + rate * track

    body = []
    # the swatches stand in the bars' order: evaluation rate above, good-rating rate below
    for i, (label, second) in enumerate(((_("Evaluation rate"), False),
                                         (_("Good-rating rate"), True))):
        base = FONT + i * LINE
        body.append(f'<rect x="1" y="{num(base - 14)}" width="26" height="14" '
                    f'fill="{SECOND if second else FILL}"/>')
        body.append(_text(36, base, label))
    targets_top = FONT + 2 * LINE
    lines_at = [(cls, x_of(rate)) for cls, rate in (("target-evaluation", targets.evaluation),
                                                    ("target-good", targets.good))
                if rate is not None]
    for i, (cls, x) in enumerate(lines_at):
        rate = targets.evaluation if cls == "target-evaluation" else targets.good
        body.append(_text(x, targets_top + 2 + i * (LINE - 2), target_label(rate), size=SMALL,
                          anchor="end", weight="700"))
    rows_top = top = (targets_top + 2 * LINE - 4) if lines_at else targets_top
    spans = []  # where each row's bars are: the reference lines cross the bars, not the labels
    for row in rows:
        lines = wrap(row.label, [width, width]) or [""]
        body += [_text(0, top + FONT + j * LINE, line) for j, line in enumerate(lines)]
        y = top + len(lines) * LINE + 4
        spans.append((y - 3, y + 2 * BAR + 4 + 3))
        for second, rate in ((False, row.evaluation_rate), (True, row.good_rating_rate)):
            body.append(f'<rect x="1" y="{num(y)}" width="{num(track)}" height="{BAR}" '
                        f'fill="{TRACK}" stroke="{EDGE}" stroke-width="1"/>')
            if rate:
                body.append(f'<rect x="1" y="{num(y)}" width="{num(max(2.0, rate * track))}" '
                            f'height="{BAR}" fill="{SECOND if second else FILL}"/>')
            body.append(_text(width, y + BAR - 1, percent(rate), size=FONT, anchor="end",
                              weight="700"))
            y += BAR + 4
        top = y + 14
    bottom = top - 10
    for cls, x in lines_at:
        body.append(f'<line class="{cls}" x1="{num(x)}" y1="{num(rows_top)}" x2="{num(x)}" '
                    f'y2="{num(rows_top + 6)}" stroke="{INK}" stroke-width="2"/>')
        body += [f'<line class="{cls}" x1="{num(x)}" y1="{num(y1)}" x2="{num(x)}" '
                 f'y2="{num(y2)}" stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>'
                 for y1, y2 in spans]
    return svg(chart_id, title,
               _("For each row, the upper bar is the evaluation rate and the lower bar the "
                 "good-rating rate, both from %(low)s to %(high)s. The numbers are also in the "
                 "table below the chart.", low="0%", high="100%") + " " + _targets_desc(targets),
               width, bottom + 4, body)
