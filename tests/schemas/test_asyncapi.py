"""The committed AsyncAPI document is current, covers every stream with a payload and a wire format,
and holds nothing of the machine that generated it."""

from __future__ import annotations

import json
import socket

from schemas import asyncapi
from schemas.vocab import EVENT_TYPES


def test_committed_document_is_current() -> None:
    assert asyncapi.ASYNCAPI_FILE.read_text(encoding="utf-8") == asyncapi.render(), "run `make schemas`"


def test_every_stream_has_a_payload_schema_and_its_wire_format() -> None:
    doc = json.loads(asyncapi.ASYNCAPI_FILE.read_text(encoding="utf-8"))
    assert doc["asyncapi"] == "3.0.0"
    channels = {c["address"]: c for c in doc["channels"].values()}
    expected = {"urls", "articles", "events", "dead", "incidents", *(f"events.{t}" for t in EVENT_TYPES)}
    assert set(channels) == {f"newswire:{name}" for name in expected}
    schemas = doc["components"]["schemas"]
    payloads = {"urls": "UrlRequest", "articles": "Article", "events": "Event", "dead": "DeadLetter",
                "events.assault": "Event", "incidents": "Incident"}  # fmt: skip
    for name, schema in payloads.items():
        channel = channels[f"newswire:{name}"]
        (message,) = channel["messages"].values()
        ref = doc["components"]["messages"][message["$ref"].rsplit("/", 1)[-1]]["payload"]["$ref"]
        assert ref == f"#/components/schemas/{schema}" and schemas[schema]["properties"]
        wire = "plain JSON" if name.startswith(("events", "incidents")) else "binary message format"
        assert "Wire format" in channel["description"] and wire in channel["description"]
    assert "evidence" in schemas["Event"]["properties"]
    assert {"mentions", "num_sources", "version"} <= set(schemas["Incident"]["properties"])
    assert "`incident`" in channels["newswire:incidents"]["description"]


def test_no_host_name_leaks() -> None:
    text = asyncapi.ASYNCAPI_FILE.read_text(encoding="utf-8")
    host = socket.gethostname()
    assert (host == "localhost" or host not in text) and "consumerName" not in text
    assert asyncapi.render() == asyncapi.render()  # nothing varies between runs
