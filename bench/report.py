"""From the raw results: the headline figures, the targets, the on-paper prediction, and the table."""

from __future__ import annotations

import statistics
from typing import Any

TARGETS = {
    "efficiency": 0.90,
    "speedup_2_extractors": 1.8,
    "extractor_rss_mib": 400.0,
    "speedup_2_stores": 1.7,
}
REPLICAS = (1, 2, 4, 8, 16, 32, 64, 128)
POSTGRES_CORES = 4  # the prediction's PostgreSQL server: its CPU per article is measured, its cores assumed


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


def predict_scaled(
    per_extractor: float, per_store: float, store_scaling: float, redis_ceiling: float | None,
    postgres_ms: float | None,
) -> list[dict[str, Any]]:  # fmt: skip
    """N extractors, each on a core of its own, with as many store replicas as they need (each adding
    `store_scaling` of one replica's rate, as measured from 1 to 2), one Redis, one PostgreSQL of
    POSTGRES_CORES cores: articles/s and what bounds it, the bottleneck that replaces the last one."""
    ceilings = {}
    if redis_ceiling:
        ceilings["redis"] = redis_ceiling
    if postgres_ms:
        ceilings[f"postgresql ({POSTGRES_CORES} cores)"] = POSTGRES_CORES * 1000 / postgres_ms
    out = []
    for n in REPLICAS:
        offered = n * per_extractor
        stores, capacity = 1, per_store
        while store_scaling > 0 and stores < 256 and capacity < min(offered, *ceilings.values()):
            stores += 1
            capacity = per_store * (1 + (stores - 1) * store_scaling)
        bounds = {"extractors": offered, f"store ({stores} replicas)": capacity, **ceilings}
        ranked = sorted(bounds, key=lambda k: bounds[k])
        row: dict[str, Any] = {
            "extractors": n,
            "stores": stores,
            "articles_per_s": round(bounds[ranked[0]], 1),
        }
        row |= {"bound": ranked[0], "next": ranked[1], "next_articles_per_s": round(bounds[ranked[1]], 1)}
        out.append(row)
    return out


def summarise(r: dict[str, Any]) -> dict[str, Any]:
    one, two = r["pipeline_1"], r["pipeline_2"]
    # extraction alone: the better of its two measurements (before and during the pipeline runs);
    # the store alone as the store worker writes: batches of 50 rows per transaction
    control = one.get("extraction_control", {}).get("articles_per_s", 0.0)
    extraction = max(r["extraction"]["articles_per_s"], control)
    control_cpu = one.get("extraction_control", {}).get("cpu_ms_per_article", 0.0)
    store_first = r["store"]["sqlite"]["articles_per_s_batch50"] < extraction
    pairs = one.get("paired_efficiency", {}).get("pairs", [])
    paired = [] if store_first else [p["ratio"] for p in pairs]
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
        # the median over the bursts of each end-to-end burst over the mean of extraction alone (same
        # texts, in a process of its own) just before and just after it
        "efficiency": round(statistics.median(paired) if paired else e2e / min(extraction, store_alone), 3),
        "efficiency_paired_runs": paired,
        "efficiency_paired_worst": min(paired, default=None),
        "efficiency_paired_best": max(paired, default=None),
        # the best end-to-end burst over the best extraction alone, minutes apart
        "efficiency_unpaired": round(e2e / min(extraction, store_alone), 3),
        "slowest_stage": "extraction" if extraction <= store_alone else "store (SQLite)",
        # the same with the extractor pinned to a core and the rest to the other: the scheduler's share
        "efficiency_pinned": round(
            one.get("end_to_end_pinned", {}).get("articles_per_s", 0.0) / min(extraction, store_alone), 3
        ),
        # CPU-normalised: extraction's CPU per article alone / the extractor worker's end to end, i.e.
        # the worker's own overhead per article, whatever the other processes on the machine take
        "efficiency_cpu": round(
            min(r["extraction"]["cpu_ms_per_article"], control_cpu or r["extraction"]["cpu_ms_per_article"])
            / one["end_to_end"]["cpu_ms_per_article"]["extractor"],
            3,
        ),
        "extractor_overhead_cpu_ms": round(
            one["end_to_end"]["cpu_ms_per_article"]["extractor"]
            - min(
                r["extraction"]["cpu_ms_per_article"], control_cpu or r["extraction"]["cpu_ms_per_article"]
            ),
            1,
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
    replicas = r.get("store_replicas", {})
    if "speedup" in replicas:
        s["speedup_2_stores"] = replicas["speedup"]
        s["speedup_2_stores_cpu"] = replicas["speedup_cpu"]
    s["targets_met"] = {
        "efficiency": s["efficiency"] >= TARGETS["efficiency"],
        "speedup_2_extractors": s["speedup_2_extractors"] >= TARGETS["speedup_2_extractors"],
        "extractor_rss_mib": s["extractor_rss_mib"] <= TARGETS["extractor_rss_mib"],
        "speedup_2_stores": s.get("speedup_2_stores", 0.0) >= TARGETS["speedup_2_stores"],
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
    if "speedup" in replicas:
        one_store = replicas["replicas_1"]
        # what each added store replica gives, from 1 -> 2 (CPU-normalised: the shared box's cores
        # are the limit here, not the design), capped at a full replica
        scaling = min(1.0, s["speedup_2_stores_cpu"] - 1)
        s["prediction"]["store_replica_scaling"] = round(scaling, 2)
        s["prediction"]["postgres_cpu_ms_per_article"] = one_store["postgres_cpu_ms_per_article"]
        s["prediction"]["scaled_out"] = predict_scaled(
            x1, one_store["articles_per_s"], scaling, redis_ceiling, one_store["postgres_cpu_ms_per_article"]
        )
        # the same from CPU per article alone (1000 / ms of CPU: a core each, whatever else runs); an
        # upper bound for a store replica, which also waits on its database and Redis round trips
        s["prediction"]["scaled_out_per_core"] = predict_scaled(
            round(1000 / cpu["extractor"], 2),
            round(1000 / one_store["store_cpu_ms_per_article"], 1),
            1.0,
            redis_ceiling,
            one_store["postgres_cpu_ms_per_article"],
        )
    return s


def _lat(figures: dict[str, Any]) -> str:
    return ", ".join(f"{q} {figures.get(q + '_s')} s" for q in ("p50", "p95", "p99"))


def _store_replicas(f: dict[str, Any]) -> str:
    if "speedup" not in f:
        return str(f.get("error", "skipped (no PostgreSQL)"))
    one, two = f["replicas_1"], f["replicas_2"]
    return (
        f"{one['articles_per_s']} -> {two['articles_per_s']} articles/s on PostgreSQL: x{f['speedup']}, "
        f"median of rounds {[r['speedup'] for r in f.get('rounds', [])]} "
        f"(CPU-normalised x{f['speedup_cpu']}; CPU ms/article store {one['store_cpu_ms_per_article']} "
        f"-> {two['store_cpu_ms_per_article']}, PostgreSQL {one['postgres_cpu_ms_per_article']}; cores "
        f"ours {one['our_cpu_cores']} / {two['our_cpu_cores']}, others' {one['other_cpu_cores']} / "
        f"{two['other_cpu_cores']})"
    )


def _scaled(rows: list[dict[str, Any]]) -> str:
    """Each step, and the bottleneck that takes over when it changes."""
    parts, last = [], None
    for row in rows:
        kind = row["bound"].split(" (")[0]
        new = "NEW " if last is not None and kind != last else ""
        parts.append(
            f"{row['extractors']} extractors + {row['stores']} stores: {row['articles_per_s']} ({new}bound: "
            f"{row['bound']}; next: {row['next']} at {row['next_articles_per_s']})"
        )
        last = kind
    return "\n    ".join(["", *parts]) if parts else "no store replica figures"


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
            f"{s['efficiency']} of the slowest stage alone ({s['slowest_stage']}): the median of the bursts, "
            f"each over extraction alone just before and after it (bursts {s['efficiency_paired_runs']}); "
            f"{s['efficiency_unpaired']} of the best extraction alone; "
            f"{s['efficiency_pinned']} with the extractor pinned to a core "
            f"({one.get('end_to_end_pinned', {}).get('articles_per_s')} articles/s); CPU-normalised "
            f"{s['efficiency_cpu']} (the extractor worker's overhead: {s['extractor_overhead_cpu_ms']} ms "
            "of CPU per article beyond extraction)",
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
        ("store replicas 1 -> 2", _store_replicas(r.get("store_replicas", {}))),
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
        ("N extractors, stores scaled", _scaled(p.get("scaled_out", []))),
        ("same, a core each (CPU)", _scaled(p.get("scaled_out_per_core", []))),
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
        "store replicas 1 -> 2": ("speedup_2_stores", f">= x{TARGETS['speedup_2_stores']}"),
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
