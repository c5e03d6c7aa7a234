"""The charts' ECharts options, as JSON-ready values (no functions: the page's script only hands them
to ECharts). Pure."""
from __future__ import annotations

from dashboard.matrix import COLOUR_NAMES, COLOURS

# The traffic lights, shared with dashboard.css: fills a chart draws with.
FILLS = {"supervision": "#6b2c91", "red": "#c62828", "yellow": "#f9a825", "due": "#bf360c", "near_due": "#fdd835",
         "on_track": "#2e7d32", "undated": "#90a4ae", "done": "#78909c"}
_BASE = {"animation": False, "textStyle": {"fontFamily": "sans-serif"},
         "tooltip": {"trigger": "item", "renderMode": "richText"}}


def phase_totals(matrix: dict) -> dict:
    """Each phase's obligations by colour, stacked."""
    phases = [p for p in matrix["phases"] if p["count"]]
    return _BASE | {
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 16, "top": 56, "bottom": 72},
        "xAxis": {"type": "category", "data": [p["name"] for p in phases], "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "name": "事项数"},
        "series": [{"type": "bar", "stack": "all", "name": COLOUR_NAMES[c], "itemStyle": {"color": FILLS[c]},
                    "data": [p["totals"].get(c, 0) for p in phases]}
                   for c in COLOURS if any(p["totals"].get(c) for p in phases)],
    }


def timeline(matrix: dict) -> dict:
    """Each dated phase at its deadline, in plan order, and today's line."""
    dated = [p for p in matrix["phases"] if p["deadline"]]
    return _BASE | {
        "grid": {"left": 120, "right": 32, "top": 24, "bottom": 40},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "category", "inverse": True, "data": [p["name"] for p in dated]},
        "series": [{
            "type": "scatter", "name": "期限", "symbolSize": 12, "itemStyle": {"color": "#1565c0"},
            "label": {"show": True, "position": "right", "formatter": "{@[0]}"},
            "data": [[p["deadline"], p["name"]] for p in dated],
            "markLine": {"symbol": "none", "silent": True, "lineStyle": {"color": "#c62828", "width": 2},
                         "label": {"formatter": f"今天 {matrix['as_of']}"}, "data": [{"xAxis": matrix["as_of"]}]},
        }],
    }


def delays(ranking: dict, top: int = 15) -> dict:
    rows = ranking["by_days"][:top]
    return _BASE | {
        "grid": {"left": 140, "right": 32, "top": 16, "bottom": 32},
        "xAxis": {"type": "value", "name": "逾期工作日"},
        "yAxis": {"type": "category", "inverse": True, "data": [r["name"] for r in rows]},
        "series": [{"type": "bar", "name": "逾期工作日合计", "itemStyle": {"color": FILLS["red"]},
                    "data": [r["days"] for r in rows]}],
    }


def district_completion(entries: list[dict]) -> dict:
    """Each district's share of its own campaign's obligations done, in per cent."""
    names, shares = [], []
    for e in entries:
        total = sum(p["total"] for p in e["phases"])
        names.append(e["name"])
        shares.append(round(100 * sum(p["done"] for p in e["phases"]) / total) if total else 0)
    return _BASE | {
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "max": 100, "name": "完成率（%）"},
        "series": [{"type": "bar", "name": "完成率", "itemStyle": {"color": FILLS["on_track"]}, "data": shares,
                    "label": {"show": True, "position": "top", "formatter": "{c}%"}}],
    }
