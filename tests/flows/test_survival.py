"""Records survive validation and reach the export, for every recipe: the demo config
(configs/demo.yaml: the Qwen2.5-Coder-0.5B model pack on the embedded server), German only,
end to end."""

from pathlib import Path

import pytest
import yaml

from babelforge.flows.factory import factory_flow
from babelforge.recipes.catalog import RECIPES

REPO = Path(__file__).resolve().parents[2]


def german_demo(tmp_path: Path) -> Path:
    """configs/demo.yaml for German only, run in tmp_path (paths made absolute)."""
    text = (REPO / "configs" / "demo.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text.replace("samples/", f"{REPO}/samples/"))
    config |= {"languages": ["de"], "run_dir": str(tmp_path / "demo")}
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_demo_run_keeps_records_of_every_recipe_through_validation_into_the_export(
    tmp_path: Path,
) -> None:
    import datasets

    result = factory_flow(config_path=str(german_demo(tmp_path)))

    assert result.report.balanced
    assert result.export is not None
    exported = {c.subset: 0 for c in result.export.configs}
    for config in result.export.configs:
        loaded = datasets.load_dataset(result.export.folder, config.name, cache_dir=str(tmp_path))
        assert sum(len(split) for split in loaded.values()) == config.rows
        exported[config.subset] += config.rows
    for recipe in RECIPES:
        kept = sum(rows for name, rows in exported.items() if name.startswith(recipe.name))
        assert kept > 0, f"no {recipe.name} record survived validation into the export"
    for stage in ("syndarin.validate", "instructions.validate"):
        assert sum(r.accepted for r in result.report.stages if r.stage == stage) > 0, stage
