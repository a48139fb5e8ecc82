"""A synthetic corpus and run config for the benches that drive the factory against sim_server.

English paragraphs are made of invented place names, numbers and years; each target paragraph is
the ROT13 of its English one, which is what the simulated server's 'translation' produces, so
answers are found in target paragraphs and the round trip returns the English text.
"""

import json
import random
from pathlib import Path

import yaml

from bench.sim_server import rot13

LANGUAGES = ("de", "fr", "es")
_SYLLABLES = ("ka", "lo", "ven", "dar", "mi", "sto", "ra", "bel", "on", "tes", "ur", "gan")
_NOUNS = ("river", "valley", "harbour", "bridge", "library", "market", "tower", "forest")


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def paragraph(rng: random.Random) -> str:
    """Four English sentences about an invented town (about 300 characters)."""
    town, other = _name(rng), _name(rng)
    return (
        f"The town of {town} lies on the {rng.choice(_NOUNS)} of {other} in the north. "
        f"It had {rng.randint(1000, 90000)} inhabitants when the census was taken in "
        f"{rng.randint(1800, 2020)}. "
        f"Its old {rng.choice(_NOUNS)} was rebuilt by the merchants of {_name(rng)} after a fire. "
        f"Visitors reach {town} by a road that follows the {rng.choice(_NOUNS)} for "
        f"{rng.randint(3, 60)} kilometres."
    )


def write_pairs(
    path: Path,
    pairs_per_language: int,
    *,
    languages: tuple[str, ...] = LANGUAGES,
    keep_share: float = 1.0,
    seed: int = 0,
) -> Path:
    """Pre-paired JSONL, `pairs_per_language` lines per target language, streamed to disk.

    Only `keep_share` of the pairs pass mining (the others have a target too short to keep),
    so a large corpus can be read end to end while the LLM sees only a share of it.
    """
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for language in languages:
            for n in range(pairs_per_language):
                text = paragraph(rng)
                kept = int((n + 1) * keep_share) > int(n * keep_share)  # evenly spread
                row = {
                    "id": f"{language}-{n}",
                    "title": f"Town {n}",
                    "source_language": "en",
                    "target_language": language,
                    "source_text": text,
                    "target_text": rot13(text) if kept else "Kurz.",
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_instructions(path: Path, records: int, seed: int = 0) -> Path:
    """An Alpaca-shaped JSON list of short instructions with numbers and inline code."""
    rng = random.Random(seed + 1)
    rows = [
        {
            "instruction": f"Explain in one sentence what the `{_name(rng).lower()}` function "
            f"returns for {rng.randint(2, 99)} items.",
            "input": ""
            if n % 2
            else f"The list holds {rng.randint(2, 50)} towns near {_name(rng)}.",
            "output": f"It returns the number of towns, here {rng.randint(2, 50)}, as an integer.",
        }
        for n in range(records)
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def write_config(
    folder: Path,
    *,
    base_url: str,
    concurrency: int,
    pairs_path: Path,
    instructions_path: Path | None,
    shard_size: int,
    languages: tuple[str, ...] = LANGUAGES,
    translation_mode: str = "per_field",
    name: str = "bench",
) -> Path:
    """A run config: SynDARin (+ instructions) in `languages` against `base_url`."""
    config: dict[str, object] = {
        "name": name,
        "run_dir": str(folder / "run"),
        "source_language": "en",
        "languages": list(languages),
        "shard_size": shard_size,
        "llm": {
            "backend": "openai",
            "base_url": f"{base_url}/v1",
            "model": "sim-continuous-batching",
            "structured_output": "json_schema",
            "max_concurrency": concurrency,
            "parse_retries": 0,
            "max_retries": 2,
            "sampling": {"temperature": 0.0, "max_tokens": 64, "seed": 0},
        },
        "syndarin": {
            "questions_per_paragraph": 1,
            "translation_mode": translation_mode,
            "mining": {"paired_path": str(pairs_path)},
            # no langid: ROT13 is no language; the other checks judge the simulated replies
            "validators": {
                "enabled": ["options", "answer_match", "roundtrip_chrf", "length_ratio", "numbers"]
            },
        },
        "tracking": {"enabled": False},
    }
    if instructions_path is not None:
        config["instructions"] = {
            "input_paths": [str(instructions_path)],
            "shape": "alpaca",
            "validators": {"enabled": ["copy", "protected", "markdown", "length", "roundtrip"]},
        }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
