"""Turns the figures into the printed table, the PASS/MISS verdicts and the JSON file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.call_counts import TARGET_CALLS, meets_target

ADDED_P50_LIMIT_MS = 1.5
TAIL_FACTOR = 10.0
BIG_LISTING_RATIO = 1.5
PEAK_LIMIT_MB = 250.0
IDLE_LIMIT_MB = 80.0
REASON_CHARS = 90


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def reason(figure: Any) -> str:
    """`n/a` and the first line of the error, short enough for a table cell."""
    if isinstance(figure, dict) and "error" in figure:
        first_line = str(figure["error"]).strip().splitlines()[0]
        if len(first_line) > REASON_CHARS:
            first_line = first_line[: REASON_CHARS - 3] + "..."
        return f"n/a ({first_line})"
    return "n/a (not measured)"


def measured(figure: Any, *keys: str) -> bool:
    return isinstance(figure, dict) and "error" not in figure and all(k in figure for k in keys)


def judge(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Every performance target the README sets, with what was measured and PASS, MISS or n/a."""
    targets: list[dict[str, Any]] = []

    def add(name: str, limit: str, value: Any, ok: bool | None) -> None:
        targets.append({"target": name, "limit": limit, "measured": value, "verdict": verdict(ok)})

    for name, row in figures.get("call_counts", {}).items():
        limit = f"{'<=' if name == 'checkTokens' else '=='} {TARGET_CALLS[name]}"
        for mode in ("fresh", "stale_later"):
            if mode == "stale_later" and name == "getTokens":
                continue
            figure = row.get(mode, {})
            calls = figure.get("calls")
            shown = reason(figure) if calls is None else calls
            add(f"calls {name} ({mode})", limit, shown, meets_target(name, calls))

    stale = figures.get("concurrent_stale")
    if measured(stale, "refreshes"):
        add(
            "16 concurrent stale requests: refreshes",
            "== 1",
            stale["refreshes"],
            stale["refreshes"] == 1,
        )
    elif stale is not None:
        add("16 concurrent stale requests: refreshes", "== 1", reason(stale), None)

    list_c1 = figures.get("latency", {}).get("listFiles", {}).get("c1")
    if measured(list_c1, "added_p50_ms"):
        added = list_c1["added_p50_ms"]
        add(
            "listFiles added p50 at c=1",
            f"<= {ADDED_P50_LIMIT_MS} ms",
            added,
            added <= ADDED_P50_LIMIT_MS,
        )
    else:
        add("listFiles added p50 at c=1", f"<= {ADDED_P50_LIMIT_MS} ms", reason(list_c1), None)

    load = figures.get("throughput", {})
    c1, c64 = load.get("c1"), load.get("c64")
    if measured(c1, "p50_ms") and measured(c64, "p99_ms"):
        errors = sum(int(load[k].get("errors", 0)) for k in load if measured(load[k]))
        add("no errors under load (wrk c=1,16,64)", "0", errors, errors == 0)
        factor = round(c64["p99_ms"] / c1["p50_ms"], 1)
        add("p99 at c=64 / p50 at c=1", f"<= {TAIL_FACTOR:g}x", factor, factor <= TAIL_FACTOR)
        alone = figures.get("throughput_emulator_direct", {})
        if measured(alone.get("c1"), "p50_ms") and measured(alone.get("c64"), "p99_ms"):
            targets[-1]["emulator_alone"] = round(alone["c64"]["p99_ms"] / alone["c1"]["p50_ms"], 1)
    else:
        why = reason(load if "error" in load else (c64 or c1))
        add("no errors under load (wrk c=1,16,64)", "0", why, None)
        add("p99 at c=64 / p50 at c=1", f"<= {TAIL_FACTOR:g}x", why, None)

    big = figures.get("big_listing")
    if measured(big, "ratio", "proxy_peak_mb"):
        add(
            "100k listing proxy/direct",
            f"<= {BIG_LISTING_RATIO}x",
            big["ratio"],
            big["ratio"] <= BIG_LISTING_RATIO,
        )
        add(
            "proxy peak memory (VmHWM)",
            f"<= {PEAK_LIMIT_MB:g} MB",
            big["proxy_peak_mb"],
            big["proxy_peak_mb"] <= PEAK_LIMIT_MB,
        )
    else:
        add("100k listing proxy/direct", f"<= {BIG_LISTING_RATIO}x", reason(big), None)
        add("proxy peak memory (VmHWM)", f"<= {PEAK_LIMIT_MB:g} MB", reason(big), None)

    scale = figures.get("scale_out")
    if measured(scale, "per_core"):
        errors = sum(int(scale[k].get("errors", 0)) for k in scale if k.startswith("r"))
        add("no errors through haproxy (1, 2, 3 replicas)", "0", errors, errors == 0)
    elif scale is not None:
        add("no errors through haproxy (1, 2, 3 replicas)", "0", reason(scale), None)

    idle = figures.get("idle_memory")
    if measured(idle, "rss_mb"):
        add(
            "proxy idle memory (VmRSS)",
            f"<= {IDLE_LIMIT_MB:g} MB",
            idle["rss_mb"],
            idle["rss_mb"] <= IDLE_LIMIT_MB,
        )
    else:
        add("proxy idle memory (VmRSS)", f"<= {IDLE_LIMIT_MB:g} MB", reason(idle), None)
    return targets


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return lines


def cell(figure: Any, render: Callable[[dict[str, Any]], str]) -> str:
    return render(figure) if measured(figure) else reason(figure)


def render_calls(counts: dict[str, Any]) -> list[str]:
    def calls(name: str, mode: str, judged: bool) -> str:
        figure = counts[name].get(mode, {})
        if figure.get("calls") is None:
            return reason(figure)
        value = str(figure["calls"])
        return f"{value} {verdict(meets_target(name, figure['calls']))}" if judged else value

    rows = [
        [
            name,
            ("<= " if name == "checkTokens" else "") + str(TARGET_CALLS[name]),
            calls(name, "fresh", True),
            calls(name, "stale_first", False),
            calls(name, "stale_later", True),
        ]
        for name in counts
    ]
    return table(["operation", "target", "fresh", "stale 1st", "stale later"], rows)


def render_latency(latency: dict[str, Any]) -> list[str]:
    rows = []
    for name, by_concurrency in latency.items():
        if name == "hello_c1":
            continue
        for key, figure in by_concurrency.items():
            if not measured(figure, "proxy"):
                rows.append([name, key[1:], reason(figure), "", "", ""])
                continue
            p, d = figure["proxy"], figure["direct"]
            rows.append(
                [
                    name,
                    key[1:],
                    f"{p['p50_ms']:.2f} / {p['p99_ms']:.2f}",
                    f"{d['p50_ms']:.2f} / {d['p99_ms']:.2f}",
                    f"{figure['added_p50_ms']:+.2f} / {figure['added_p99_ms']:+.2f}",
                    f"{figure['ratio_p50']:.2f} / {figure['ratio_p99']:.2f}",
                ]
            )
    headers = ["operation", "c", "proxy p50/p99 ms", "direct p50/p99 ms", "added ms", "ratio"]
    return table(headers, rows)


def render_throughput(figures: dict[str, Any]) -> list[str]:
    rows = []
    for target, key in [("proxy", "throughput"), ("emulator alone", "throughput_emulator_direct")]:
        by_connections = figures.get(key, {})
        if "error" in by_connections:
            rows.append([target, "all", reason(by_connections), "", "", ""])
            continue
        for connections, f in by_connections.items():
            rows.append(
                [
                    target,
                    connections[1:],
                    cell(f, lambda f: f"{f['requests_per_second']:.0f}"),
                    cell(f, lambda f: f"{f['p50_ms']:.2f}"),
                    cell(f, lambda f: f"{f['p99_ms']:.2f}"),
                    cell(
                        f,
                        lambda f: (
                            f"{f['errors']} ({f['non_2xx']} non-2xx, {f['socket_errors']} socket)"
                        ),
                    ),
                ]
            )
    return table(["target", "c", "req/s", "p50 ms", "p99 ms", "errors"], rows)


def render_scale_out(figures: dict[str, Any]) -> list[str]:
    scale = figures.get("scale_out")
    lookup = figures.get("token_lookup")
    if scale is None and lookup is None:
        return []
    lines = []
    if scale is not None:
        lines += [
            f"listFiles through haproxy, replicas sharing one Redis "
            f"(wrk, c={cell(scale, lambda s: str(s['connections']))}, "
            f"{figures.get('wrk_seconds', '?')} s each)"
        ]
        if measured(scale, "per_core"):
            rows = [
                [
                    key[1:],
                    cell(f, lambda f: f"{f['requests_per_second']:.0f}"),
                    cell(f, lambda f: f"{f['p50_ms']:.2f} / {f['p99_ms']:.2f}"),
                    cell(f, lambda f: str(f["errors"])),
                    cell(f, lambda f: f"{f['proxy_cpu_seconds']:.1f}"),
                    cell(f, lambda f: str(f["requests_per_proxy_cpu_second"])),
                ]
                for key, f in scale.items()
                if key.startswith("r")
            ]
            headers = ["replicas", "req/s", "p50 / p99 ms", "errors", "proxy CPU s", "req/CPU-s"]
            lines += table(headers, rows)
            lines += [f"One replica per core serves about {scale['per_core']} requests a second"]
        else:
            lines += [reason(scale)]
    lines += [
        "Cached token lookup, memory vs Redis: "
        + cell(
            lookup,
            lambda t: (
                f"memory p50 {t['memory']['p50_ms']:.3f} / p99 {t['memory']['p99_ms']:.3f} ms, "
                f"Redis p50 {t['redis']['p50_ms']:.3f} / p99 {t['redis']['p99_ms']:.3f} ms, "
                f"added {t['added_p50_ms']:+.3f} / {t['added_p99_ms']:+.3f} ms"
            ),
        ),
        "",
    ]
    return lines


def render(figures: dict[str, Any], targets: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    if "load_average_at_start" in figures:
        loads = [figures["load_average_at_start"], figures.get("load_average_at_end")]
        shown = " / ".join(f"{load[0]:.2f}" for load in loads if load)
        lines += [f"Host: {os.cpu_count()} CPUs, 1-minute load average at start / end: {shown}", ""]
    for key, what in [
        ("setup_error", "Setup failed"),
        ("proxy_error", "The proxy did not start"),
        ("proxy_died", "The proxy died"),
        ("emulator_died", "The emulator died"),
    ]:
        if key in figures:
            lines += [f"{what}: {figures[key]}", ""]
    if isinstance(figures.get("proxy_login"), dict):
        lines += [f"Login through the proxy failed: {figures['proxy_login']['error']}", ""]
    if figures.get("call_counts"):
        lines += ["Calls to Globus per operation (counted at the emulator)"]
        lines += render_calls(figures["call_counts"])
        stale = figures.get("concurrent_stale")
        lines += [
            "16 simultaneous listFiles with one new stale pair: "
            + cell(stale, lambda f: f"{f['refreshes']} refresh(es), {f['calls']} calls in all"),
            "",
        ]
    if figures.get("latency"):
        lines += ["Latency, proxy vs globus-sdk direct (same emulator)"]
        lines += render_latency(figures["latency"])
        hello = figures["latency"].get("hello_c1")
        lines += [
            "Proxy floor, GET hello at c=1 (the hop and the framework, no Globus call): "
            + cell(hello, lambda h: f"p50 {h['p50_ms']:.2f} ms, p99 {h['p99_ms']:.2f} ms"),
            "",
        ]
    if "cpu_per_listing" in figures:
        lines += [
            "CPU per listFiles, utime+stime per request (c=1, interleaved blocks): "
            + cell(
                figures["cpu_per_listing"],
                lambda c: (
                    f"proxy {c['proxy_cpu_ms']:.3f} ms, aiohttp forwarder (the floor) "
                    f"{c['forwarder_cpu_ms']:.3f} ms, ratio {c['ratio']:.2f}x"
                ),
            ),
            "",
        ]
    if figures.get("throughput"):
        lines += [f"listFiles under load (wrk, {figures.get('wrk_seconds', '?')} s each)"]
        lines += [*render_throughput(figures), ""]
    big, idle, copy = (
        figures.get("big_listing"),
        figures.get("idle_memory"),
        figures.get("transfer"),
    )
    lines += [
        "100,000-entry listing (best of 3): "
        + cell(
            big,
            lambda b: (
                f"proxy {b['proxy_s']:.3f} s, direct {b['direct_s']:.3f} s, "
                f"ratio {b['ratio']:.2f}; proxy VmHWM {b['proxy_hwm_before_mb']:.0f} -> "
                f"{b['proxy_peak_mb']:.0f} MB"
            ),
        ),
        "Proxy idle memory: " + cell(idle, lambda i: f"VmRSS {i['rss_mb']:.1f} MB"),
        "1 GiB transfer: "
        + cell(
            copy,
            lambda c: (
                f"emulator {c['emulator_s']:.2f} s ({c['emulator_mb_s']:.0f} MB/s), "
                f"cp {c['cp_s']:.2f} s ({c['cp_mb_s']:.0f} MB/s), ratio {c['ratio']:.2f}"
            ),
        ),
        "",
    ]
    lines += render_scale_out(figures)
    if "logs" in figures:
        lines += [f"The services' logs are kept in {figures['logs']}", ""]
    lines += ["Targets"]
    lines += table(
        ["target", "limit", "measured", "verdict", "note"],
        [[t["target"], t["limit"], str(t["measured"]), t["verdict"], note(t)] for t in targets],
    )
    return "\n".join(lines)


def note(target: dict[str, Any]) -> str:
    if "emulator_alone" in target:
        return f"the emulator alone, same load: {target['emulator_alone']}x"
    return ""


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
