"""Where the response cache reaches beyond the run: the shared location reused across runs."""

from pydantic import Field

from babelforge.schemas.base import Record


class CacheConfig(Record):
    """The run's replies are always kept with their shards; `shared` adds a location (a path or
    fsspec URL, e.g. s3://bucket/babelforge-cache) that every run reads on a miss and writes on
    a paid reply, one object per request key."""

    shared: str | None = Field(
        default=None,
        description="path or URL of a response cache shared across runs (read on a miss, "
        "written on a paid reply); off by default",
    )
