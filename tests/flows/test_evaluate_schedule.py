"""The `evaluate` deployment of prefect.yaml: its parameters reach the flow, and the flow
evaluates the export of the run directory the deployment names (the run config's otherwise).
"""

import shutil
from pathlib import Path

import pytest

from babelforge.flows.deploy import read_specs
from babelforge.flows.evaluate import evaluate_config_flow
from babelforge.schemas.config import load_config
from babelforge.schemas.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def test_the_evaluate_deployment_names_a_config_with_an_evaluate_section() -> None:
    (spec,) = read_specs(REPO / "prefect.yaml", ["evaluate"])
    assert spec.entrypoint == "flows/evaluate.py:evaluate_config_flow"
    config = load_config(REPO / spec.parameters["config_path"])
    assert config.evaluate is not None and config.syndarin is not None
    assert set(config.evaluate.models.values()) == {"embedded"}
    (export,) = read_specs(REPO / "prefect.yaml", ["evaluate-export"])
    assert export.parameters["config_path"] == spec.parameters["config_path"]
    assert export.parameters["run_dir"] == spec.parameters["run_dir"]


def test_the_flow_reads_the_export_of_the_run_dir_it_is_given(tmp_path: Path) -> None:
    config = tmp_path / "evaluate-demo.yaml"
    shutil.copy(REPO / "configs" / "evaluate-demo.yaml", config)
    run_dir = tmp_path / "scheduled" / "evaluate"
    with pytest.raises(InputError, match=f"{run_dir}/export is not an export folder"):
        evaluate_config_flow(str(config), run_dir=str(run_dir))
