"""lm-evaluation-harness's own task loader accepts the task YAML the export writes and builds
its log-likelihood requests from an export folder in the Hub layout (datasets reads it).

Runs in .venv-vllm (lm-eval needs torch) under `make test-vllm`; no model is loaded."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from babelforge.flows.export.lm_eval import task_config, task_name

ROWS = [
    {
        "id": "tmcq-hy-0",
        "language": "hy",
        "question": "Ո՞վ է հիմնադրել Էրեբունի ամրոցը։",
        "options": ["Արգիշտի I", "Տիգրան Մեծ", "Աշոտ I", "Արտաշես I"],
        "answer_index": 0,
        "target_paragraph": "Էրեբունի ամրոցը հիմնադրել է Արգիշտի I թագավորը մ.թ.ա. 782 թվականին։",
    },
    {
        "id": "tmcq-hy-1",
        "language": "hy",
        "question": "Ի՞նչ բարձրության վրա է գտնվում Սևանա լիճը։",
        "options": ["900 մետր", "1900 մետր", "2900 մետր", "190 մետր"],
        "answer_index": 1,
        "target_paragraph": "Սևանա լիճը գտնվում է ծովի մակերևույթից 1900 մետր բարձրության վրա։",
    },
]


def hub_folder(root: Path) -> Path:
    """An export folder as the export lays it out: the card's configs and one parquet split."""
    folder = root / "export"
    data = folder / "data" / "syndarin-hy"
    data.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(ROWS), data / "test-00000-of-00001.parquet")
    header = {
        "configs": [
            {
                "config_name": "syndarin-hy",
                "data_files": [
                    {"split": "test", "path": "data/syndarin-hy/test-00000-of-00001.parquet"}
                ],
            }
        ]
    }
    (folder / "README.md").write_text(f"---\n{yaml.safe_dump(header)}---\n\n# demo\n", "utf-8")
    tasks = folder / "lm_eval"
    tasks.mkdir()
    config = task_config(str(folder), "syndarin-hy", "test")
    (tasks / f"{config['task']}.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return folder


def test_lm_eval_loads_the_task_and_builds_one_request_per_letter(tmp_path: Path) -> None:
    from lm_eval.tasks import TaskManager

    folder = hub_folder(tmp_path)
    name = task_name("syndarin-hy", "test")
    manager = TaskManager(include_path=str(folder / "lm_eval"), include_defaults=False)
    assert name in manager.all_tasks
    task = manager.load([name])["tasks"][name]
    docs = list(task.test_docs())
    assert [d["id"] for d in docs] == ["tmcq-hy-0", "tmcq-hy-1"]
    assert task.doc_to_choice(docs[1]) == ["A", "B", "C", "D"]
    assert task.doc_to_target(docs[1]) == 1
    prompt = task.doc_to_text(docs[1])
    assert prompt.startswith(ROWS[1]["target_paragraph"])
    assert "B. 1900 մետր" in prompt and prompt.endswith("Answer:")
    task.build_all_requests(limit=2, rank=0, world_size=1)
    requests = task.instances
    assert len(requests) == 2 * 4
    assert {r.arguments[1] for r in requests} == {" A", " B", " C", " D"}
