"""What the export writes beside the Hub configs, for the tools people benchmark with: the
English context columns of the MCQ rows, lm-evaluation-harness tasks, and Mu-SHROOM JSONL."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

import fsspec

from babelforge.flows.export.lm_eval import write_lm_eval_tasks
from babelforge.flows.export.mcq_context import add_mcq_context
from babelforge.flows.export.mushroom import write_mushroom
from babelforge.flows.store import RunStore

if TYPE_CHECKING:
    from babelforge.flows.export.export import ExportedConfig


def write_extras(
    fs: fsspec.AbstractFileSystem,
    root: str,
    folder: str,
    store: RunStore,
    configs: Sequence["ExportedConfig"],
) -> None:
    """Add the MCQ context columns, then write the lm-eval tasks and the Mu-SHROOM files."""
    add_mcq_context(fs, root, store, configs)
    write_lm_eval_tasks(fs, root, folder, configs)
    write_mushroom(fs, root, configs)
