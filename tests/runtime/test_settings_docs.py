"""The README's configuration table is the one `Settings` generates, and every setting explains itself."""

from __future__ import annotations

from services.runtime.settings import Settings
from services.runtime.settings_docs import README, settings_table, with_table


def test_every_setting_has_a_description() -> None:
    assert [name for name, info in Settings.model_fields.items() if not info.description] == []


def test_the_readme_table_is_current() -> None:
    readme = README.read_text()
    assert with_table(readme) == readme, "run `make docs` to regenerate the README's settings table"
    assert settings_table().count("\n") == len(Settings.model_fields) + 1
    assert "`NEWSWIRE_LOG_LEVEL` | `WARNING`" in readme
