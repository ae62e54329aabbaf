"""The sensitivity report of a sweep, in Markdown (tornado as a text bar chart) or HTML (tornado as inline SVG).

A tornado chart puts the parameters one under the other, the one the output hangs on most at the top:
here the bar is the total-order index (the share of the output's variance the parameter takes part in),
with the first-order index (its share alone) and the bootstrap interval written beside it. Bars are drawn
on a fixed 0–1 scale, so tornadoes of different outputs can be compared by eye. Each parameter carries its
provenance, marked [A] for an assumption and [F] for a fact, so the chart reads as "which assumptions
decide the game". Colour never carries meaning alone: S1 is a solid bar, ST an outlined one, and both are
written as numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from .sensitivity import Analysis, Index, OutputIndices, Parameter
from .sweep_results import write_atomically

BAR = 24
"""Characters of a full (index 1.0) bar in the Markdown tornado."""
_EIGHTHS = " ▏▎▍▌▋▊▉"
MARK = {"assumption": "A", "fact": "F", "unsourced": "?"}


def write_report(analysis: Analysis, prefix: Path, kind: str) -> Path:
    """Write PREFIX.md or PREFIX.html and return its path."""
    path = prefix.with_name(f"{prefix.name}.{kind}")
    text = markdown(analysis) if kind == "md" else html(analysis)
    write_atomically(path, text)
    return path


def text_bar(value: float, width: int = BAR) -> str:
    """A bar of `value` (0..1) × width characters, in eighths of a character."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def _label(p: Parameter) -> str:
    return f"[{MARK[p.origin.kind]}] {p.path}"


def _n(value: float) -> str:
    """Two decimals, without a minus sign on a value that rounds to zero."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _ci(value: float, conf: float) -> str:
    return f"{_n(value)} ({_n(value - conf)} to {_n(value + conf)})"


def _sources(analysis: Analysis) -> list[str]:
    lines = ["| | parameter | in the scenario | range swept | provenance |", "|---|---|---|---|---|"]
    for p in analysis.parameters:
        note = p.origin.note or "no provenance entry"
        where = f" (entry `{p.origin.entry}`)" if p.origin.entry and p.origin.entry != p.path else ""
        lines.append(
            f"| {MARK[p.origin.kind]} | `{p.path}` | {p.base:g} | {p.range} | {p.origin.kind}: {_md(note)}{where} |"
        )
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _largest(analysis: Analysis, plan: str) -> list[tuple[float, str, Parameter]]:
    """For one plan: each parameter's largest total-order index over the outputs, and on which output."""
    best: dict[str, tuple[float, str, Parameter]] = {}
    for res in analysis.results:
        if res.plan != plan:
            continue
        for ix in res.indices:
            if ix.st > best.get(ix.parameter.path, (-1.0, "", ix.parameter))[0]:
                best[ix.parameter.path] = (ix.st, res.output, ix.parameter)
    return sorted(best.values(), key=lambda b: (-b[0], b[2].path))


def _deciding(analysis: Analysis, plan: str) -> list[str]:
    lines = ["| parameter | provenance | largest ST | on |", "|---|---|---:|---|"]
    lines += [f"| `{p.path}` | {p.origin.kind} | {_n(st)} | {out} |" for st, out, p in _largest(analysis, plan)]
    return lines


def markdown(analysis: Analysis) -> str:
    """The report as Markdown."""
    out = [
        f"# Which assumptions decide the game: {analysis.title}",
        "",
        f"Scenario: {analysis.scenario}. Sweep file: `{analysis.spec}`. Saltelli design on a Sobol' sequence, "
        f"N = {analysis.base_samples}: {analysis.points} design points × {analysis.runs} games each, every point on "
        f"the same dice (seed {analysis.seed}). Plans: {', '.join(analysis.plans)}.",
        "",
        "S1 is the share of an output's variance across the design a parameter explains alone; ST the share it "
        "takes part in, interactions included. Intervals are 95% bootstrap intervals. A parameter with a small "
        "ST can be fixed anywhere in its range without moving that output. [A] marks an assumption, [F] a fact.",
        "",
        "## Parameters",
        "",
        *_sources(analysis),
    ]
    for plan in analysis.plans:
        out += [
            "",
            f"## {plan}",
            "",
            "Each parameter's largest total-order index over the outputs:",
            "",
            *_deciding(analysis, plan),
        ]
        for res in (r for r in analysis.results if r.plan == plan):
            out += ["", *_md_output(res)]
    return "\n".join(out) + "\n"


def _md_output(res: OutputIndices) -> list[str]:
    head = f"### {res.plan}: {res.output} (mean {res.mean:.4g}, spread across points {res.spread:.3g})"
    if not res.indices:
        return [head, "", "Does not vary over the design: no parameter moves it."]
    width = max(len(_label(ix.parameter)) for ix in res.indices)
    chart = [
        f"{_label(ix.parameter):<{width}} |{text_bar(ix.st):<{BAR}}| ST {_n(ix.st)}  S1 {_n(ix.s1)}"
        for ix in res.indices
    ]
    table = ["| parameter | provenance | S1 (95% CI) | ST (95% CI) |", "|---|---|---|---|"]
    table += [
        f"| `{ix.parameter.path}` | {ix.parameter.origin.kind} | {_ci(ix.s1, ix.s1_conf)} | {_ci(ix.st, ix.st_conf)} |"
        for ix in res.indices
    ]
    return [head, "", "```", *chart, "```", "", *table]


# --- HTML -------------------------------------------------------------------------------------------------------


def html(analysis: Analysis) -> str:
    """The report as one self-contained HTML page (inline SVG, no scripts, nothing fetched)."""
    body = [
        f"<h1>Which assumptions decide the game: {escape(analysis.title)}</h1>",
        f"<p>Scenario: {escape(analysis.scenario)}. Sweep file: <code>{escape(analysis.spec)}</code>. Saltelli "
        f"design on a Sobol' sequence, N = {analysis.base_samples}: {analysis.points} design points × "
        f"{analysis.runs} games each, every point on the same dice (seed {analysis.seed}).</p>",
        "<p>Solid bar: first-order index S1 (the parameter alone). Outlined bar: total-order index ST (with its "
        "interactions); the whisker is its 95% bootstrap interval. [A] assumption, [F] fact.</p>",
        "<h2>Parameters</h2>",
        "<table><tr><th></th><th>parameter</th><th>in the scenario</th><th>range swept</th><th>provenance</th></tr>",
        *(
            f"<tr><td>{MARK[p.origin.kind]}</td><td><code>{escape(p.path)}</code></td><td>{p.base:g}</td>"
            f"<td>{escape(p.range)}</td><td>{p.origin.kind}: {escape(p.origin.note or 'no provenance entry')}</td></tr>"
            for p in analysis.parameters
        ),
        "</table>",
    ]
    for plan in analysis.plans:
        body.append(f"<h2>{escape(plan)}</h2>")
        body.append(
            "<p>Each parameter's largest total-order index over the outputs:</p><table>"
            "<tr><th>parameter</th><th>provenance</th><th>largest ST</th><th>on</th></tr>"
        )
        body.extend(
            f"<tr><td><code>{escape(p.path)}</code></td><td>{p.origin.kind}</td><td>{_n(st)}</td>"
            f"<td>{escape(out)}</td></tr>"
            for st, out, p in _largest(analysis, plan)
        )
        body.append("</table>")
        for res in (r for r in analysis.results if r.plan == plan):
            body.append(
                f"<h3>{escape(res.output)} <small>(mean {res.mean:.4g}, spread across points "
                f"{res.spread:.3g})</small></h3>"
            )
            body.append(tornado_svg(res) if res.indices else "<p>Does not vary over the design.</p>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(analysis.title)}: sensitivity</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def tornado_svg(res: OutputIndices, width: int = 720) -> str:
    """A horizontal bar per parameter, largest ST on top, on a fixed 0–1 axis."""
    left, right, top, row = 300, 130, 24, 22
    plot = width - left - right
    height = top + row * len(res.indices) + 28
    title = f"{res.plan}: {res.output}"

    def x(v: float) -> float:
        return left + max(0.0, min(1.0, v)) * plot

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{height - 24}" stroke="#ddd"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{height - 10}" text-anchor="middle">{tick:g}</text>')
    for i, ix in enumerate(res.indices):
        y = top + i * row
        out.append(_svg_row(ix, y, row, x))
    out.append("</svg>")
    return "".join(out)


def _svg_row(ix: Index, y: float, row: float, px: Callable[[float], float]) -> str:
    label = escape(_label(ix.parameter))
    lo, hi = px(ix.st - ix.st_conf), px(ix.st + ix.st_conf)
    mid = y + row / 2
    return (
        f'<text x="{px(0) - 8:.1f}" y="{mid + 4:.1f}" text-anchor="end">{label}</text>'
        f'<rect x="{px(0):.1f}" y="{y + 3:.1f}" width="{px(ix.st) - px(0):.1f}" height="{row - 6:.1f}" '
        'fill="none" stroke="#1f5fa8" stroke-width="1.5"/>'
        f'<rect x="{px(0):.1f}" y="{y + 7:.1f}" width="{px(ix.s1) - px(0):.1f}" height="{row - 14:.1f}" '
        'fill="#1f5fa8"/>'
        f'<line x1="{lo:.1f}" y1="{mid:.1f}" x2="{hi:.1f}" y2="{mid:.1f}" stroke="#333"/>'
        f'<text x="{px(1) + 8:.1f}" y="{mid + 4:.1f}">ST {_n(ix.st)}  S1 {_n(ix.s1)}</text>'
    )
