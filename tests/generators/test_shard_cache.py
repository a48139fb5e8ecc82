"""A shard's cache segment: written while the shard runs, so a killed shard keeps the replies it
paid for; read back whole by whichever process opens it next, every part merged; a torn line
left by a killed writer skipped with a warning naming the part."""

import asyncio
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import fsspec
import pytest

from babelforge.generators import cache_store
from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import CacheSegment, open_segment
from babelforge.generators.client import ChatReply, ChatRequest, user_message
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.provenance import SamplingParams, Usage

MODEL = "smollm2-135m-instruct"
QUESTIONS = [
    "Translate into German: The Byurakan Observatory stands on Mount Aragats.",
    "Translate into Armenian: Lake Sevan lies 1,900 metres above sea level.",
    "Traduis en français : Erebouni a été fondée en 782 av. J.-C.",
    "Übersetze ins Spanische: Der Ararat ist 5.137 Meter hoch.",
]


def key(question: str) -> str:
    request = ChatRequest(messages=user_message(question), sampling=SamplingParams(seed=0))
    return request.cache_key(MODEL)


def reply(text: str) -> ChatReply:
    return ChatReply(
        text=text,
        model=MODEL,
        backend="llama.cpp",
        usage=Usage(requests=1, prompt_tokens=21, completion_tokens=len(text.split())),
        generated_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        finish_reason="stop",
    )


def read_in_new_process(folder: Path) -> int:
    """Replies a fresh Python process finds in the segment (what a resuming worker sees)."""
    code = (
        "import sys\n"
        "from babelforge.generators.cache_store import CacheSegment\n"
        "print(len(CacheSegment.at(sys.argv[1]).load()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip())


@pytest.fixture
def memory_folder() -> Iterator[str]:
    """A segment folder on fsspec's in-process object store, removed after."""
    root = f"/babelforge-tests/{uuid.uuid4().hex}"
    yield f"memory://{root}/stages/instructions.translate/de/shard-00000.cache"
    fsspec.filesystem("memory").rm(root, recursive=True)


async def test_a_local_segment_holds_each_reply_before_the_shard_ends(tmp_path: Path) -> None:
    folder = tmp_path / "shard-00000.cache"
    async with open_segment(str(folder)) as segment:
        for i, question in enumerate(QUESTIONS[:3]):
            segment.put(key(question), reply(f"Antwort {i}"))
        assert read_in_new_process(folder) == 3, "a kill now must keep all three"
    assert read_in_new_process(folder) == 3
    again = CacheSegment.at(str(folder)).load()
    assert again.get(key(QUESTIONS[1])) == reply("Antwort 1")
    assert again.get(key(QUESTIONS[3])) is None


async def test_an_object_store_segment_writes_new_parts_while_running_then_one_on_close(
    memory_folder: str,
) -> None:
    fs, folder = fsspec.core.url_to_fs(memory_folder)

    def parts() -> list[str]:
        return sorted(fs.glob(f"{folder}/*.jsonl"))

    async def written(n: int) -> None:
        deadline = time.monotonic() + 30
        while len(CacheSegment(fs, folder).load()) < n:
            assert time.monotonic() < deadline, f"{n} replies not written within 30 s"
            await asyncio.sleep(0.05)

    async with open_segment(memory_folder) as segment:
        assert not segment.appends
        for i in range(cache_store.FLUSH_EVERY):  # a full batch goes at once
            segment.put(f"{i:064x}", reply(f"Antwort {i}"))
        await written(cache_store.FLUSH_EVERY)
        segment.put(key(QUESTIONS[0]), reply("Das Observatorium steht am Aragaz."))
        await written(cache_store.FLUSH_EVERY + 1)  # a lone reply goes after FLUSH_AFTER_S
        assert len(parts()) == 2
    assert len(parts()) == 1, "closing merges the parts"
    merged = CacheSegment(fs, folder).load()
    assert len(merged) == cache_store.FLUSH_EVERY + 1
    assert merged.get(key(QUESTIONS[0])) == reply("Das Observatorium steht am Aragaz.")


async def test_two_writers_parts_are_read_back_as_one_segment(tmp_path: Path) -> None:
    folder = str(tmp_path / "shard-00003.cache")
    async with open_segment(folder) as first:  # a worker killed after two replies...
        first.put(key(QUESTIONS[0]), reply("erste"))
        first.put(key(QUESTIONS[1]), reply("zweite"))
    async with open_segment(folder) as second:  # ...and the one that resumed the shard
        assert len(second) == 2
        second.put(key(QUESTIONS[2]), reply("troisième"))
    assert len(list((tmp_path / "shard-00003.cache").glob("*.jsonl"))) == 2
    both = CacheSegment.at(folder).load()
    assert {both.get(key(q)) for q in QUESTIONS[:3]} == {
        reply("erste"),
        reply("zweite"),
        reply("troisième"),
    }


async def test_a_torn_last_line_is_skipped_with_a_warning_naming_the_part(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "shard-00001.cache"
    async with open_segment(str(folder)) as segment:
        segment.put(key(QUESTIONS[0]), reply("Der Ararat ist 5.137 Meter hoch."))
        segment.put(key(QUESTIONS[1]), reply("Սևանա լիճը"))
    (part,) = folder.glob("*.jsonl")
    text = part.read_text(encoding="utf-8")
    part.write_text(text[: len(text) - 40], encoding="utf-8")  # killed mid-line
    (folder / f"{uuid.uuid4().hex}.jsonl").write_text("not json at all\n", encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="babelforge.generators.cache_store"):
        loaded = CacheSegment.at(str(folder)).load()
    assert len(loaded) == 1
    assert loaded.get(key(QUESTIONS[0])) == reply("Der Ararat ist 5.137 Meter hoch.")
    assert loaded.get(key(QUESTIONS[1])) is None, "asked again, not served half a reply"
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert str(part) in warned and "skipped 1 unreadable" in warned


async def test_the_run_wide_client_pays_once_for_a_request_two_shards_send_apart(
    real_client: OpenAICompatibleClient,
) -> None:
    """The same short option in two shards, asked one after the other: one paid request."""
    run_wide = CachedClient(real_client, Accounting(), remember=10)
    request = ChatRequest(
        messages=user_message("Translate into German: Paris"),
        sampling=SamplingParams(max_tokens=8, temperature=0.0),
    )
    first = await run_wide.complete(request)
    second = await run_wide.complete(request)
    assert (first.cached, second.cached, second.text) == (False, True, first.text)
    assert real_client.accounting.total().requests == 1
