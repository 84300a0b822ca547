"""Where a supervisor review's chart drawing goes: per chart, compiling and drawing, and the cost
of each text label vl-convert measures.

    python benchmarks/profile_charts.py [--coaches 3] [--repeat 3]

Builds the supervisor reviews of the first `--coaches` coaches of the cached 40-coach demo
(`bench_reports.py`'s `reports-40`, 2026-01..06) in this process, records the Vega-Lite spec of
every chart they draw (as `theme.spec_svg` receives it, label limits already lifted), and times
with vl-convert, best of `--repeat`, CPU of all threads:
- the whole conversion (`vegalite_to_svg`, what the report does),
- its two halves: compiling to Vega (`vegalite_to_vega`) and drawing that (`vega_to_svg`),
then a calibration: one point with no text at all, and the same point with 1, 10 and 40 axis
labels, from which the cost per measured label is read. It explains the batch's floor: a review
is about ten small charts, and most of their cost is text measurement inside vl-convert.
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-30"}


def cpu() -> float:
    """CPU time of this process, all threads (vl-convert draws on its own threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def best(repeat: int, fn, *args: Any, **kwargs: Any) -> float:
    """The least CPU seconds of `repeat` calls of `fn(*args, **kwargs)`."""
    times = []
    for _ in range(repeat):
        start = cpu()
        fn(*args, **kwargs)
        times.append(cpu() - start)
    return min(times)


def review_specs(coaches: int) -> list[dict[str, Any]]:
    """The Vega-Lite specs the first `coaches` supervisor reviews would draw, in order."""
    import bench_reports

    from trc_analytics.records.load import load_workspace
    from trc_analytics.reports import supervisor, theme
    from trc_analytics.reports.context import open_report
    from trc_analytics.reports.display import Section, Sections

    ws = load_workspace(bench_reports.scale_workspace(40))
    specs: list[dict[str, Any]] = []
    drawing = theme.spec_svg

    def record(spec: dict[str, Any]) -> str:
        specs.append(theme._unlimited_axes(spec))
        return ""

    theme.spec_svg = record
    try:
        for coach in ws["coaches"]["coach_id"].sort().head(coaches).to_list():
            ctx = open_report("supervisor", coach=coach, workspace=ws, **PERIOD)
            for part in supervisor.coach_part(ctx, coach):
                if isinstance(part, (Section, Sections)):
                    part.to_html()
    finally:
        theme.spec_svg = drawing
    return specs


def labelled(labels: int | None) -> dict[str, Any]:
    """One point; with `labels` nominal axis labels, or no text at all when None."""
    values = [{"x": 1, "y": f"label {i}"} for i in range(max(labels or 1, 1))]
    y: dict[str, Any] = {"field": "y", "type": "nominal"}
    x: dict[str, Any] = {"field": "x", "type": "quantitative"}
    if labels is None:
        x["axis"] = y["axis"] = None
    return {"data": {"values": values}, "mark": "point", "encoding": {"x": x, "y": y}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coaches", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import vl_convert as vlc

    specs = review_specs(args.coaches)
    vlc.vegalite_to_svg(specs[0], allowed_base_urls=[])  # the engine's start is not a chart's
    print(f"{len(specs)} charts, {args.coaches} supervisor reviews (CPU ms, best of {args.repeat})")
    print(f"{'chart':>5} {'mark':<12} {'whole':>7} {'compile':>8} {'draw':>7}")
    totals = [0.0, 0.0, 0.0]
    for i, spec in enumerate(specs):
        vega = vlc.vegalite_to_vega(spec)
        figures = (
            best(args.repeat, vlc.vegalite_to_svg, spec, allowed_base_urls=[]),
            best(args.repeat, vlc.vegalite_to_vega, spec),
            best(args.repeat, vlc.vega_to_svg, vega, allowed_base_urls=[]),
        )
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        mark = spec.get("mark", {"type": "layer"} if "layer" in spec else {})
        name = mark.get("type", "?") if isinstance(mark, dict) else str(mark)
        print(f"{i:>5} {name:<12} " + " ".join(f"{f * 1000:7.1f}" for f in figures))
    per_review = [t / args.coaches for t in totals]
    print("per review   " + " ".join(f"{f * 1000:7.1f}" for f in per_review))
    print("calibration: one point, CPU ms")
    base = best(5, vlc.vegalite_to_svg, labelled(None), allowed_base_urls=[])
    print(f"  no text at all          {base * 1000:7.1f}")
    drawn = {}
    for n in (1, 10, 40):
        drawn[n] = best(5, vlc.vegalite_to_svg, labelled(n), allowed_base_urls=[])
        print(f"  {n:>2} labels and two axes  {drawn[n] * 1000:7.1f}")
    print(f"  each label from 10 to 40  {(drawn[40] - drawn[10]) / 30 * 1000:5.2f}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"({time.perf_counter() - start:.1f} s)")
