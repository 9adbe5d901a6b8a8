"""Writes the JSON Schema files of the message models into schemas/jsonschema/, and the AsyncAPI
document of the streams into schemas/asyncapi.json.

python -m schemas.generate
"""

from __future__ import annotations

import json
from pathlib import Path

from schemas.incident import Incident
from schemas.messages import json_schemas

SCHEMA_DIR = Path(__file__).resolve().parent / "jsonschema"


def render() -> dict[str, str]:
    return {
        f"{name}.json": json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for name, schema in {**json_schemas(), "incident": Incident.model_json_schema()}.items()
    }


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for filename, text in render().items():
        (SCHEMA_DIR / filename).write_text(text, encoding="utf-8")
        print(SCHEMA_DIR / filename)
    from schemas import asyncapi

    asyncapi.ASYNCAPI_FILE.write_text(asyncapi.render(), encoding="utf-8")
    print(asyncapi.ASYNCAPI_FILE)


if __name__ == "__main__":
    main()
