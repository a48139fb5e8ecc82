"""`execution`: the engine (local or Ray), the mode, and the plain string of older configs."""

import sys

import pytest
from pydantic import ValidationError

from babelforge.flows.ray_engine import import_ray
from babelforge.generators.errors import MissingExtraError
from babelforge.schemas.config import RunConfig

BASE = {"name": "run", "run_dir": "out", "languages": ["de"]}


def test_the_plain_string_of_older_configs_is_the_mode_on_the_local_engine() -> None:
    execution = RunConfig.model_validate({**BASE, "execution": "sequential"}).execution
    assert (execution.engine, execution.mode, execution.address) == ("local", "sequential", "auto")


def test_the_ray_engine_takes_a_head_address() -> None:
    execution = RunConfig.model_validate(
        {**BASE, "execution": {"engine": "ray", "address": "10.0.0.5:6379"}}
    ).execution
    assert (execution.engine, execution.mode, execution.address) == (
        "ray",
        "streaming",
        "10.0.0.5:6379",
    )


@pytest.mark.parametrize("bad", [{"engine": "spark"}, {"address": "no port"}, "fast"])
def test_a_wrong_execution_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        RunConfig.model_validate({**BASE, "execution": bad})


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'babelforge\[ray\]'"):
        import_ray()
