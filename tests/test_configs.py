"""The shipped configs and prefect.yaml's deployment defaults load as the factory loads them.

Each config under configs/ goes through `load_config` (the typed RunConfig the CLI and the
flows use); each deployment of prefect.yaml is checked against the flow it names: its
parameters bind to the flow's signature, its config file loads, the recipes it asks for are in
that config, and `prepare_config` accepts them.
"""

import inspect
from pathlib import Path
from typing import Any

import pytest
from prefect.flows import Flow, load_flow_from_entrypoint

from babelforge.flows.deploy import DeploymentSpec, read_specs
from babelforge.flows.factory import prepare_config
from babelforge.schemas.config import load_config

REPO = Path(__file__).resolve().parents[1]
CONFIGS = sorted((REPO / "configs").glob("*.yaml"))
SPECS = read_specs(REPO / "prefect.yaml")


def test_the_project_ships_a_config_per_recipe_and_deployments_for_each() -> None:
    assert {p.name for p in CONFIGS} >= {
        "demo.yaml",
        "instructions-demo.yaml",
        "hallucination-demo.yaml",
    }
    assert {s.name for s in SPECS} >= {"factory", "syndarin", "instructions", "hallucination"}


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_shipped_config_loads_with_its_own_name_and_paths_that_exist(path: Path) -> None:
    config = load_config(path)
    assert config.name == path.stem
    assert config.languages and config.source_language not in config.languages
    recipes = [r for r in ("syndarin", "instructions", "hallucination") if getattr(config, r)]
    assert recipes, f"{path.name} names no recipe"
    text = path.read_text(encoding="utf-8")
    samples = [w.strip("[],") for w in text.split() if w.strip("[],").startswith("samples/")]
    assert samples and all((REPO / s).exists() for s in samples), samples


def test_demo_config_runs_all_three_recipes_on_the_embedded_model() -> None:
    config = load_config(REPO / "configs" / "demo.yaml")
    assert config.llm.backend == "embedded"
    assert config.syndarin and config.instructions and config.hallucination
    assert config.run_dir == "out/demo"


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_deployment_parameters_bind_to_its_flow(spec: DeploymentSpec) -> None:
    path, _, function = spec.entrypoint.rpartition(":")
    flow: Flow[..., Any] = load_flow_from_entrypoint(f"{REPO / path}:{function}")
    inspect.signature(flow.fn).bind(**spec.parameters)
    assert spec.schedules and all(s.active for s in spec.schedules)
    assert spec.concurrency_limit == 1


@pytest.mark.parametrize(
    "spec",
    [s for s in SPECS if "config_path" in s.parameters],
    ids=[s.name for s in SPECS if "config_path" in s.parameters],
)
def test_deployment_config_loads_with_the_recipes_and_run_dir_it_names(
    spec: DeploymentSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # deployment runs start in prefect.yaml's folder
    params = spec.parameters
    config = prepare_config(params["config_path"], params.get("recipes"), params.get("run_dir"))
    assert config.run_dir == params["run_dir"]
    for recipe in ("syndarin", "instructions", "hallucination"):
        wanted = params.get("recipes") is None or recipe in params["recipes"]
        in_file = getattr(load_config(params["config_path"]), recipe) is not None
        assert (getattr(config, recipe) is not None) == (wanted and in_file), recipe
