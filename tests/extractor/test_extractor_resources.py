"""RuleResources: an engine on its own data directory, read and checked before the first article."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from services.extractor.rules import RuleEngine
from services.extractor.rules.datadir import DEFAULT_DATA_DIR, data_dir, using
from services.extractor.rules.lexicon import LexiconError, load_lexicon
from services.extractor.rules.resources import RuleResources
from tests.extractor.helpers import PUBLISHED, make_article

TEXT = "KYIV, May 2 (Newswire) - Russian troops shelled the town of Kupiansk on Friday, officials said."


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, copy)
    return copy


def _types(engine: RuleEngine) -> list[str]:
    return [e.event_type for e in engine.extract(make_article(TEXT, PUBLISHED))]


def test_an_engine_reads_its_own_tables_and_the_shipped_engine_is_untouched(
    engine: RuleEngine, data_copy: Path
) -> None:
    triggers = json.loads((data_copy / "triggers.json").read_text(encoding="utf-8"))
    del triggers["types"]["assault"]["verbs"]["shell"]  # this copy no longer reads shelling as an assault
    (data_copy / "triggers.json").write_text(json.dumps(triggers), encoding="utf-8")
    changed = RuleEngine(resources=RuleResources.from_dir(data_copy))
    assert "assault" in _types(engine)
    assert "assault" not in _types(changed)
    assert "assault" in _types(engine)  # the shipped tables are still the default's
    assert data_dir() == DEFAULT_DATA_DIR  # the copy is read only while its engine reads an article


def test_a_broken_table_fails_when_the_engine_is_built_not_at_the_first_article(data_copy: Path) -> None:
    (data_copy / "cues.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"cues\.json: not valid JSON"):
        RuleResources.from_dir(data_copy)


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        RuleResources.from_dir(tmp_path / "nowhere")


def test_the_loaders_answer_from_the_directory_in_use(data_copy: Path) -> None:
    shipped = load_lexicon()
    with using(data_copy):
        assert load_lexicon() is not shipped
        assert load_lexicon().trigger_forms == shipped.trigger_forms
    assert load_lexicon() is shipped
