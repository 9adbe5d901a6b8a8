"""Incident matching speed with many incidents stored: events matched per second on one core.

    .venv/bin/python -m bench.bench_incidents [--stored 100000] [--events 5000] [--days 365]

Preloads `--stored` incidents (synthetic events: 16 types, 300 cities in 40 countries, `--days` days,
words drawn from a 2,000-word vocabulary) into the in-memory resolver the CLI uses, then times
`--events` new events, half of them further reports of stored incidents (same type, place and day,
some shared words) and half new ones. One process, one thread: events per CPU second is the figure
per core (wall-clock rate beside it, lower on a shared machine). It also prints
how many candidates each event was scored against, which stays flat however many incidents are
stored (the day × type group × country index), and the merge rate, as a sanity check.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta

from schemas import EVENT_TYPES, Actor, Event, EventTime, Evidence, ExtractorInfo, Location, event_id_for
from services.incidents.consolidate import mention_of
from services.incidents.features import mention_features
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Resolver
from services.runtime.settings import Settings

START = datetime(2025, 1, 1, tzinfo=UTC)
EXTRACTOR = ExtractorInfo(name="bench", version="1")


class World:
    def __init__(self, rng: random.Random, days: int) -> None:
        self.rng = rng
        self.days = days
        self.countries = [f"C{i:02d}" for i in range(40)]
        self.cities = [
            (f"City{i}", self.countries[i % 40], rng.uniform(-50, 60), rng.uniform(-120, 140))
            for i in range(300)
        ]
        self.vocab = [f"w{i}" for i in range(2000)]
        self.serial = 0

    def event(
        self, event_type: str, city: tuple[str, str, float, float], day: int, words: list[str], hour: int
    ) -> Event:
        self.serial += 1
        name, country, lat, lon = city
        start = START + timedelta(days=day)
        text = " ".join(words)
        article = f"a{self.serial}"
        return Event(
            event_id=event_id_for(article, event_type, 0, len(text)),
            article_id=article,
            source=f"outlet{self.serial % 500}",
            published_at=start + timedelta(hours=hour),
            extractor=EXTRACTOR,
            event_type=event_type,  # type: ignore[arg-type]
            actor=Actor(text=country, country=country),
            location=Location(text=name, name=name, country=country, lat=lat, lon=lon, precision="city"),
            time=EventTime(start=start, end=start + timedelta(days=1), precision="day"),
            evidence=Evidence(text=text, start=0, end=len(text)),
            confidence=0.8,
        )

    def fresh(self) -> Event:
        r = self.rng
        return self.event(
            r.choice(EVENT_TYPES), r.choice(self.cities), r.randrange(self.days), r.sample(self.vocab, 12), 8
        )

    def report_of(self, event: Event) -> Event:
        assert event.location is not None and event.time is not None and event.time.start is not None
        loc = event.location
        city = (loc.name or "", loc.country or "", loc.lat or 0.0, loc.lon or 0.0)
        words = event.evidence.text.split()[:6] + self.rng.sample(self.vocab, 6)
        day = (event.time.start - START).days
        return self.event(event.event_type, city, day, words, 14)


def run(stored: int, events: int, days: int, seed: int = 7) -> dict[str, float]:
    rng = random.Random(seed)
    world = World(rng, days)
    settings = Settings()
    cfg = MatchConfig.from_settings(settings)
    resolver = Resolver(cfg, settings.incident_match_mentions)
    preload: list[Event] = []
    t0 = time.perf_counter()
    while len(resolver.incidents) < stored:  # random events sometimes meet: add until `stored` incidents
        preload.append(world.fresh())
        resolver.add(preload[-1])
    preload_s = time.perf_counter() - t0
    probes = [world.report_of(rng.choice(preload)) if i % 2 == 0 else world.fresh() for i in range(events)]
    candidates = 0
    for e in probes[:500]:  # the index's selectivity, counted apart from the timing
        candidates += sum(1 for _ in resolver.candidates(mention_features(mention_of(e), cfg.max_span_days)))
    before = len(resolver.incidents)
    t0, c0 = time.perf_counter(), time.process_time()
    for e in probes:
        resolver.add(e)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "incidents_stored_before": before,
        "events_matched": events,
        "events_per_cpu_s": round(events / cpu, 1),  # per core: the machine may be shared
        "events_per_wall_s": round(events / elapsed, 1),
        "cpu_ms_per_event": round(1000 * cpu / events, 3),
        "candidates_per_event": round(candidates / min(events, 500), 2),
        "merged_share": round((events - (len(resolver.incidents) - before)) / events, 3),
        "preload_events_per_wall_s": round(len(preload) / preload_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    print(json.dumps(run(args.stored, args.events, args.days)))


if __name__ == "__main__":
    main()
