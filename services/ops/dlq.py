"""`newswire dlq`: list, show, replay and purge dead letters on the `dead` stream."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis

from schemas import DeadLetter
from services.runtime import streams
from services.runtime.connections import connect
from services.runtime.settings import Settings


async def dead_letters(
    redis: Redis, settings: Settings, ids: list[str]
) -> list[tuple[str, DeadLetter | None]]:
    key = settings.keys.dead
    entries: list[Any] = []
    if ids:
        for entry_id in ids:
            entries += await redis.xrange(key, min=entry_id, max=entry_id) or []
    else:
        entries = await redis.xrange(key) or []
    out: list[tuple[str, DeadLetter | None]] = []
    for raw_id, fields in entries:
        try:
            letter: DeadLetter | None = DeadLetter.model_validate_json(streams.decode(fields))
        except ValidationError:
            letter = None
        out.append((raw_id.decode(), letter))
    return out


async def replay(redis: Redis, entry_id: str, letter: DeadLetter, dead_stream: str) -> None:
    """Put the original payload back on its stream and drop the dead letter, in one transaction."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(letter.stream, streams.raw_fields(letter.payload.encode()))  # type: ignore[arg-type]
        pipe.xdel(dead_stream, entry_id)
        await pipe.execute()


async def run_dlq(url: str, settings: Settings, action: str, ids: list[str], as_json: bool = False) -> int:
    redis = connect(url, settings)
    dead_stream = settings.keys.dead
    try:
        letters = await dead_letters(redis, settings, ids)
        if action == "list":
            for entry_id, letter in letters:
                if letter is None:
                    print(f"{entry_id}  (unreadable dead letter)")
                elif as_json:
                    print(json.dumps({"id": entry_id, **letter.model_dump(mode="json", exclude={"payload"})}))
                else:
                    where = f"{letter.stream}  {letter.error_type}  x{letter.attempts}"
                    print(f"{entry_id}  {where}  {letter.error[:100]}")
            if not as_json:
                print(f"{len(letters)} dead letter(s)")
        elif action == "show":
            for entry_id, letter in letters:
                print(
                    json.dumps(
                        {"id": entry_id, **(letter.model_dump(mode="json") if letter else {})}, indent=2
                    )
                )
        elif action == "replay":
            count = 0
            for entry_id, letter in letters:
                if letter is not None:
                    await replay(redis, entry_id, letter, dead_stream)
                    count += 1
            print(f"replayed {count} dead letter(s)")
        elif action == "purge":
            ids = [entry_id for entry_id, _ in letters]
            if ids:
                await redis.xdel(dead_stream, *ids)
            print(f"purged {len(ids)} dead letter(s)")
    finally:
        await redis.aclose()
    return 0
