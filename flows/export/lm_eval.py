"""lm-evaluation-harness tasks for the exported MCQ configs: one YAML per config and split
(`test`, and `gold` when people checked a sample) under `<export>/lm_eval/`, so

    lm_eval --model hf --model_args pretrained=... \\
        --tasks babelforge_syndarin_hy --include_path <export>/lm_eval

runs on the exported set. The task reads the export folder with `datasets` (its card declares
the configs), asks the target paragraph, question and lettered options, and scores the
log-likelihood of each letter (`output_type: multiple_choice`, metric `acc`).

lm-eval hands `dataset_path` to `datasets.load_dataset` as it stands (relative to the working
directory, never to the YAML file), so the export writes the folder's absolute path and
`babelforge push` uploads the tasks with `dataset_path` rewritten to the Hub repository id
(`hub_task`): the local tasks run where the export lies, the pushed ones from anywhere."""

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import fsspec
import yaml

from babelforge.flows.export.mcq_context import SUBSET

if TYPE_CHECKING:
    from babelforge.flows.export.export import ExportedConfig

FOLDER = "lm_eval"
SPLITS = ("test", "gold")
PROMPT = (
    "{{target_paragraph}}\n\nQuestion: {{question}}\n"
    "A. {{options[0]}}\nB. {{options[1]}}\nC. {{options[2]}}\nD. {{options[3]}}\nAnswer:"
)


def task_name(config: str, split: str) -> str:
    """`babelforge_syndarin_hy` for the test split, `babelforge_syndarin_hy_gold` for gold."""
    base = "babelforge_" + config.replace("-", "_")
    return base if split == "test" else f"{base}_{split}"


def task_config(dataset_path: str, config: str, split: str) -> dict[str, Any]:
    """The lm-eval task fields for one exported config and split."""
    return {
        "task": task_name(config, split),
        "tag": ["babelforge"],
        "dataset_path": dataset_path,
        "dataset_name": config,
        "test_split": split,
        "output_type": "multiple_choice",
        "doc_to_text": PROMPT,
        "doc_to_choice": ["A", "B", "C", "D"],
        "doc_to_target": "answer_index",
        "target_delimiter": " ",
        "metric_list": [
            {"metric": "acc", "aggregation": "mean", "higher_is_better": True},
            {"metric": "acc_norm", "aggregation": "mean", "higher_is_better": True},
        ],
        "metadata": {"version": 1.0},
    }


def write_lm_eval_tasks(
    fs: fsspec.AbstractFileSystem, root: str, folder: str, configs: Iterable["ExportedConfig"]
) -> list[str]:
    """Write one task YAML per MCQ config and split; stale task files are removed. `folder` is
    the export folder as `datasets` should open it. Returns the relative paths written."""
    if "://" not in folder:
        folder = os.path.abspath(folder)
    target = f"{root}/{FOLDER}"
    if fs.exists(target):
        fs.rm(target, recursive=True)
    written = []
    for config in configs:
        if config.subset != SUBSET:
            continue
        name = config.name
        for split in (s.split for s in config.splits if s.split in SPLITS):
            relative = f"{FOLDER}/{task_name(name, split)}.yaml"
            text = yaml.safe_dump(
                task_config(folder, name, split), sort_keys=False, allow_unicode=True
            )
            fs.makedirs(target, exist_ok=True)
            fs.pipe_file(f"{root}/{relative}", text.encode("utf-8"))
            written.append(relative)
    return written


def hub_task(text: str, repo_id: str) -> str:
    """A written task YAML with `dataset_path` pointing at the Hub dataset `repo_id`, the
    rest unchanged; what `babelforge push` uploads."""
    task = yaml.safe_load(text)
    task["dataset_path"] = repo_id
    return yaml.safe_dump(task, sort_keys=False, allow_unicode=True)
