"""Run every recipe a config names, sharing one LLM endpoint and one run directory."""

from pathlib import Path

from prefect import flow

from babelforge.flows.report import Report, build_report
from babelforge.flows.store import RunStore
from babelforge.generators.backends import llm_endpoint
from babelforge.schemas.config import RunConfig


@flow(name="run")
def run_recipes(config: RunConfig) -> Report:
    """Start the LLM endpoint once, run the configured recipes, then write the report."""
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    log_path = store.local_dir("logs") / "llm-server.log"
    with llm_endpoint(config.llm, log_path=Path(log_path)) as llm:
        config = config.model_copy(update={"llm": llm})
        if config.syndarin is not None:
            from babelforge.flows.syndarin import syndarin_flow

            syndarin_flow(config)
        if config.instructions is not None:
            from babelforge.flows.instructions import instructions_flow

            instructions_flow(config)
        if config.hallucination is not None:
            from babelforge.flows.hallucination import hallucination_flow

            hallucination_flow(config)
    return build_report(store)
