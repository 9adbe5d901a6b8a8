"""From the raw results: the headline figures, the targets, the on-paper prediction, and the table."""

from __future__ import annotations

from typing import Any

TARGETS = {"efficiency": 0.90, "speedup_2_extractors": 1.8, "extractor_rss_mib": 400.0}
REPLICAS = (1, 2, 4, 8, 16, 32, 64)


def redis_paper_ms(calls: dict[str, float], rates: dict[str, Any]) -> float:
    """Redis CPU per article on paper: the pipeline's command mix times each command's server CPU
    measured by the pipelined rate benchmark (MULTI, EXEC and the rest costed like an XACK)."""
    cost = {"xadd": rates["xadd"], "xreadgroup": rates["xreadgroup_count1"], "xack": rates["xack"]}
    us = sum(n * cost.get(cmd, rates["xack"])["server_cpu_us_per_call"] for cmd, n in calls.items())
    return round(float(us) / 1000, 2)


def predict(per_extractor: float, store: float, redis_ceiling: float | None) -> dict[str, Any]:
    """Articles/s with N extractor replicas, each on a core of its own, one store, one Redis."""
    out: dict[str, Any] = {}
    for n in REPLICAS:
        bounds = {"extractors": n * per_extractor, "store": store}
        if redis_ceiling:
            bounds["redis"] = redis_ceiling
        bound = min(bounds, key=lambda k: bounds[k])
        out[str(n)] = {"articles_per_s": round(bounds[bound], 1), "bound": bound}
    return out


def summarise(r: dict[str, Any]) -> dict[str, Any]:
    one, two = r["pipeline_1"], r["pipeline_2"]
    # extraction alone: the better of its two measurements (before and during the pipeline runs);
    # the store alone as the store worker writes: batches of 50 rows per transaction
    control = one.get("extraction_control", {}).get("articles_per_s", 0.0)
    extraction = max(r["extraction"]["articles_per_s"], control)
    store_alone = r["store"]["sqlite"]["articles_per_s_batch50"]
    e2e, e2e_2 = one["end_to_end"]["articles_per_s"], two["end_to_end"]["articles_per_s"]
    x1 = one["extractor_only"]["extractor_articles_per_s"]
    x2 = two["extractor_only"]["extractor_articles_per_s"]
    store_pipe = one["store_catch_up"]["articles_per_s"]
    cpu = one["end_to_end"]["cpu_ms_per_article"]
    redis_ms = cpu.get("redis", 0.0)
    redis_ceiling = round(1000 / redis_ms, 1) if redis_ms else None
    paper_ms = redis_paper_ms(one["end_to_end"]["redis_calls_per_article"], r["redis"])
    rss = [s["peak_rss_mib"] for s in (one, two)]
    s: dict[str, Any] = {
        "efficiency": round(e2e / min(extraction, store_alone), 3),
        "slowest_stage": "extraction" if extraction <= store_alone else "store (SQLite)",
        # the same with the extractor pinned to a core and the rest to the other: the scheduler's share
        "efficiency_pinned": round(
            one.get("end_to_end_pinned", {}).get("articles_per_s", 0.0) / min(extraction, store_alone), 3
        ),
        # the same, against the stages as they run in the pipeline (FastStream, Redis round trips)
        "efficiency_vs_pipeline_stages": round(e2e / min(x1, store_pipe), 3),
        "speedup_2_extractors": round(x2 / x1, 2),
        # what two free cores would give: 2 x CPU per article with one extractor / with two
        "speedup_2_extractors_cpu": round(
            2
            * one["extractor_only"]["cpu_ms_per_article"]["extractor"]
            / two["extractor_only"]["cpu_ms_per_article"]["extractor"],
            2,
        ),
        "speedup_2_extractors_end_to_end": round(e2e_2 / e2e, 2),
        "extractor_rss_mib": max(x.get("extractor", 0.0) for x in rss),
        "store_rss_mib": max(x.get("store", 0.0) for x in rss),
        "cpu_ms_per_article": cpu,
        # this machine: every process of the pipeline shares its cores
        "cpu_bound_articles_per_s": round(
            1000 * r["cpus"] / sum(v for k, v in cpu.items() if k != "bench"), 1
        ),
    }
    s["targets_met"] = {
        "efficiency": s["efficiency"] >= TARGETS["efficiency"],
        "speedup_2_extractors": s["speedup_2_extractors"] >= TARGETS["speedup_2_extractors"],
        "extractor_rss_mib": s["extractor_rss_mib"] <= TARGETS["extractor_rss_mib"],
    }
    s["prediction"] = {
        "per_extractor_articles_per_s": x1,
        "store_in_pipeline_articles_per_s": store_pipe,
        "store_alone_batch50_articles_per_s": {
            db: r["store"][db].get("articles_per_s_batch50")
            for db in ("sqlite", "postgres")
            if db in r["store"]
        },
        "redis_calls_per_article": one["end_to_end"]["redis_calls_per_article"],
        "redis_cpu_ms_per_article": redis_ms,
        "redis_ceiling_articles_per_s": redis_ceiling,
        "redis_paper_ms_per_article": paper_ms,
        "redis_paper_ceiling_articles_per_s": round(1000 / paper_ms, 1) if paper_ms else None,
        "replicas": predict(x1, store_pipe, redis_ceiling),
    }
    return s


def _lat(figures: dict[str, Any]) -> str:
    return ", ".join(f"{q} {figures.get(q + '_s')} s" for q in ("p50", "p95", "p99"))


def table(r: dict[str, Any]) -> str:
    s, one, two = r["summary"], r["pipeline_1"], r["pipeline_2"]
    ex, st, rd, p = r["extraction"], r["store"], r["redis"], s["prediction"]

    def store_row(db: str) -> str:
        f = st.get(db, {})
        if "error" in f or not f:
            return str(f.get("error", "skipped"))
        return (
            f"{f['articles_per_s_batch50']} articles/s in transactions of 50 rows; one row per transaction: "
            f"{f['articles_per_s']} ({f['article_rows_per_s']} article, {f['event_rows_per_s']} event rows/s)"
        )

    x1, x2 = one["extractor_only"], two["extractor_only"]
    e1, cpu = one["end_to_end"], s["cpu_ms_per_article"]
    replicas = ", ".join(f"{n}: {v['articles_per_s']} ({v['bound']})" for n, v in p["replicas"].items())
    rows = [
        (
            "cleaning alone",
            f"{r['cleaning'].get('pages_per_s')} pages/s ({r['cleaning'].get('ms_per_page')} ms)",
        ),
        (
            "extraction alone",
            f"{ex['articles_per_s']} articles/s, {ex['events_per_article']} events each; again during the "
            f"pipeline runs: {one.get('extraction_control', {}).get('articles_per_s')}",
        ),
        ("store alone, SQLite", store_row("sqlite")),
        ("store alone, PostgreSQL", store_row("postgres")),
        ("Redis XADD", f"{rd['xadd']['calls_per_s']:.0f}/s ({rd['xadd']['server_cpu_us_per_call']} us CPU)"),
        (
            "Redis XREADGROUP",
            f"COUNT 1: {rd['xreadgroup_count1']['calls_per_s']:.0f} calls/s; "
            f"COUNT 100: {rd['xreadgroup_count100']['entries_per_s']:.0f} entries/s",
        ),
        (
            "pipeline, 1 extractor",
            f"{e1['articles_per_s']} articles/s (CPU ms/article: extractor {cpu.get('extractor')}, "
            f"store {cpu.get('store')}, redis {cpu.get('redis')})",
        ),
        (
            "efficiency",
            f"{s['efficiency']} of the slowest stage alone ({s['slowest_stage']}); "
            f"{s['efficiency_pinned']} with the extractor pinned to a core "
            f"({one.get('end_to_end_pinned', {}).get('articles_per_s')} articles/s)",
        ),
        ("latency, burst", _lat(e1["latency"])),
        (
            "latency, 60% load",
            _lat(one.get("paced", {}).get("latency", {}))
            + f" at {one.get('paced', {}).get('offered_per_s')} articles/s",
        ),
        (
            "extractors alone, 1 -> 2",
            f"{x1['extractor_articles_per_s']} -> {x2['extractor_articles_per_s']} articles/s: "
            f"x{s['speedup_2_extractors']} (split {x2['articles_per_extractor']}; CPU-normalised "
            f"x{s['speedup_2_extractors_cpu']})",
        ),
        (
            "pipeline, 2 extractors",
            f"{two['end_to_end']['articles_per_s']} articles/s: x{s['speedup_2_extractors_end_to_end']}",
        ),
        ("store in the pipeline", f"{p['store_in_pipeline_articles_per_s']} articles/s (from a backlog)"),
        ("peak RSS", f"extractor {s['extractor_rss_mib']} MiB, store {s['store_rss_mib']} MiB"),
        (
            "Redis per article",
            f"{sum(p['redis_calls_per_article'].values()):.0f} calls, {p['redis_cpu_ms_per_article']} ms "
            f"CPU -> {p['redis_ceiling_articles_per_s']} articles/s (on paper "
            f"{p['redis_paper_ms_per_article']} ms -> {p['redis_paper_ceiling_articles_per_s']})",
        ),
        (
            "Redis never trimmed",
            f"{one['untrimmed']['streams']} events.<type> streams without a group keep "
            f"{one['untrimmed']['kib_per_article']} KiB per article",
        ),
        ("N extractors (bound)", replicas),
        (
            "others' load",
            f"{ex['other_cpu_cores']} cores during extraction, {x1['other_cpu_cores']} / "
            f"{x2['other_cpu_cores']} during extractors alone 1 / 2, {e1['other_cpu_cores']} end to end",
        ),
    ]
    targets = {
        "efficiency": ("efficiency", f">= {TARGETS['efficiency']}"),
        "extractors alone, 1 -> 2": ("speedup_2_extractors", f">= x{TARGETS['speedup_2_extractors']}"),
        "peak RSS": ("extractor_rss_mib", f"extractor <= {TARGETS['extractor_rss_mib']:.0f} MiB"),
    }
    width = max(len(name) for name, _ in rows)
    lines = [f"{'figure':{width}}  measured  [target]"]
    for name, value in rows:
        line = f"{name:{width}}  {value}"
        if name in targets:
            key, text = targets[name]
            line += f"  [{text}: {'met' if s['targets_met'][key] else 'NOT met'}]"
        lines.append(line)
    return "\n".join(lines)
