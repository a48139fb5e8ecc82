"""How a run's shards are executed: on this process (local) or on a Ray cluster, every
lane at once (streaming) or one after another (sequential)."""

from typing import Literal

from pydantic import Field, model_validator

from babelforge.schemas.base import Record


class ExecutionConfig(Record):
    """`engine: ray` runs each shard's work on a Ray cluster (one worker per node holds the
    run's LLM clients); the shards stay Prefect tasks of the run on this process."""

    engine: Literal["local", "ray"] = Field(
        default="local",
        description="'local' makes every shard in this process; 'ray' on the Ray cluster at "
        "`address` (needs pip install 'babelforge[ray]')",
    )
    mode: Literal["streaming", "sequential"] = Field(
        default="streaming",
        description="'streaming' runs every recipe, language and stage at once, a stage "
        "starting on each upstream shard as it commits; 'sequential' runs them one after "
        "another, one shard at a time (for debugging; same records)",
    )
    address: str = Field(
        default="auto",
        pattern=r"^(auto|[A-Za-z0-9._-]+:[0-9]+|ray://[A-Za-z0-9._-]+:[0-9]+)$",
        description="ray: 'auto' joins the cluster this machine is part of (`ray start`), "
        "HOST:PORT the head's GCS address",
    )
    workers_per_node: int = Field(
        default=1, ge=1, le=64, description="ray: shard workers (LLM clients) on each node"
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_mode(cls, value: object) -> object:
        """`execution: streaming | sequential` of earlier configs is the mode alone."""
        return {"mode": value} if isinstance(value, str) else value
