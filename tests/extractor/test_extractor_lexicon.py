"""The lexicons of services/extractor/rules/data load checked: a malformed entry is a LexiconError that
names the file and the entry, not a KeyError deep in the rules."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.extractor.rules import lexicon
from services.extractor.rules.lexicon import LexiconError, load_lexicon, read_lexicon


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in ("triggers.json", "quantities.json", "cues.json"):
        shutil.copy(lexicon.DATA_DIR / name, tmp_path / name)
    return tmp_path


def _edit(folder: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads((folder / name).read_text(encoding="utf-8"))
    change(data)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_the_shipped_lexicons_load_and_a_copy_loads_alike(data_copy: Path) -> None:
    copy = read_lexicon(data_copy)
    assert copy.trigger_forms == load_lexicon().trigger_forms
    assert ("attack", "verbs") in copy.triggers


def test_an_unknown_event_type_in_a_sense_is_named(data_copy: Path) -> None:
    _edit(data_copy, "triggers.json", lambda d: d["object_senses"]["send"].update(troops=["invade", None]))
    with pytest.raises(LexiconError, match=r"object_senses\.send\.troops: unknown event type 'invade'"):
        read_lexicon(data_copy)


def test_a_sense_that_is_not_a_pair_is_named(data_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["prep_senses"].setdefault("push", {})["into"] = "assault"

    _edit(data_copy, "triggers.json", change)
    with pytest.raises(LexiconError, match=r"prep_senses\.push\.into: expected \[type, mode\]"):
        read_lexicon(data_copy)


def test_a_missing_section_is_named(data_copy: Path) -> None:
    _edit(data_copy, "triggers.json", lambda d: d.pop("phrases"))
    with pytest.raises(LexiconError, match=r"triggers\.json: missing phrases"):
        read_lexicon(data_copy)


def test_broken_json_is_named(data_copy: Path) -> None:
    (data_copy / "cues.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"cues\.json: not valid JSON"):
        read_lexicon(data_copy)


def test_a_cue_that_is_not_a_word_list_is_named(data_copy: Path) -> None:
    _edit(data_copy, "cues.json", lambda d: d.update(speech_verbs="said"))
    with pytest.raises(LexiconError, match=r"cues\.json speech_verbs: expected a list of words"):
        read_lexicon(data_copy)


def test_a_count_kind_the_contract_lacks_is_named(data_copy: Path) -> None:
    _edit(data_copy, "quantities.json", lambda d: d["adjectives"].update(stranded="marooned"))
    with pytest.raises(LexiconError, match=r"quantities\.json adjectives\.stranded: unknown kind 'marooned'"):
        read_lexicon(data_copy)
