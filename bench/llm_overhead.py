"""Throughput of the factory's client against a plain async loop of raw `openai` calls.

Both run against the same embedded llama.cpp server, at the same concurrency, on the same
prompts, interleaved round by round so that machine noise hits both alike. Prints tokens/s,
requests/s and the ratio factory / raw (goal: >= 0.95). Not a test.

    .venv/bin/python -m bench.llm_overhead --requests 16 --concurrency 4 --rounds 4
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import openai

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import open_segment
from babelforge.generators.client import ChatRequest, user_message
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.mcq import MCQPayload
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.prompts import load_prompt
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.provenance import SamplingParams

TOPICS = ["Mount Aragats", "the Danube", "Lake Sevan", "the Rhine", "Yerevan", "Hamburg"]


def _prompt(i: int, salt: str) -> str:
    return f"In two sentences, describe {TOPICS[i % len(TOPICS)]}. ({salt}-{i})"


async def raw_loop(
    base_url: str, model: str, n: int, concurrency: int, salt: str
) -> tuple[float, int]:
    client = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0)
    gate = asyncio.Semaphore(concurrency)
    tokens = 0

    async def one(i: int) -> None:
        nonlocal tokens
        async with gate:
            r = await client.chat.completions.create(
                model=model,
                messages=[{"role": "user", "content": _prompt(i, salt)}],
                max_tokens=48,
                temperature=0.0,
                seed=0,
            )
            tokens += r.usage.completion_tokens if r.usage else 0

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed, tokens


async def factory_loop(
    base_url: str, model: str, n: int, concurrency: int, salt: str, cache_dir: Path
) -> tuple[float, int]:
    accounting = Accounting()
    inner = OpenAICompatibleClient(
        base_url, model, backend="llama.cpp", max_concurrency=concurrency, accounting=accounting
    )
    sampling = SamplingParams(temperature=0.0, max_tokens=48, seed=0)
    async with open_segment(str(cache_dir / f"{salt}-{concurrency}")) as cache:  # fresh: empty
        client = CachedClient(inner, accounting, cache)
        start = time.perf_counter()
        await asyncio.gather(
            *(
                client.complete(
                    ChatRequest(messages=user_message(_prompt(i, salt)), sampling=sampling)
                )
                for i in range(n)
            )
        )
        elapsed = time.perf_counter() - start
    await inner.aclose()
    return elapsed, accounting.total().completion_tokens


async def structured_loop(
    base_url: str, model: str, n: int, concurrency: int, salt: str, cache_dir: Path
) -> tuple[float, int]:
    """The factory's whole request path: a rendered prompt, ask_structured (schema, parse,
    validate) through the response cache and the client; MCQ replies from the server."""
    accounting = Accounting()
    inner = OpenAICompatibleClient(
        base_url, model, backend="sim", max_concurrency=concurrency, accounting=accounting
    )
    prompt = load_prompt("mcq")
    sampling = SamplingParams(temperature=0.0, max_tokens=48, seed=0)

    async def one(i: int) -> None:
        text = prompt.render(
            paragraph=f"Lake Sevan lies 1,900 metres high in Armenia. Entry {salt}-{i} of it.",
            question_type="factual",
            type_hint="who, what or where",
        )
        outcome = await ask_structured(client, user_message(text), MCQPayload, sampling=sampling)
        assert isinstance(outcome, Parsed), outcome

    async with open_segment(str(cache_dir / f"{salt}-s")) as cache:
        client = CachedClient(inner, accounting, cache)
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    await inner.aclose()
    return elapsed, accounting.total().completion_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    raw: list[tuple[float, int]] = []
    factory: list[tuple[float, int]] = []
    with EmbeddedServer() as server, tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            # alternate which side goes first; fresh prompts each round so nothing is cached
            sides = [("raw", raw), ("factory", factory)]
            for name, sink in sides if r % 2 == 0 else sides[::-1]:
                salt = f"round{r}"  # the same prompts on both sides: same replies, same tokens
                if name == "raw":
                    result = asyncio.run(
                        raw_loop(
                            server.base_url, server.model, args.requests, args.concurrency, salt
                        )
                    )
                else:
                    result = asyncio.run(
                        factory_loop(
                            server.base_url, server.model, args.requests, args.concurrency, salt,
                            Path(tmp),
                        )
                    )  # fmt: skip
                sink.append(result)
    print(f"{args.requests} requests x {args.rounds} rounds, concurrency {args.concurrency}")
    print(f"{'side':8} {'req/s':>8} {'tok/s':>8}")
    rates = {}
    for name, runs in (("raw", raw), ("factory", factory)):
        rps = statistics.median(args.requests / t for t, _ in runs)
        tps = statistics.median(tok / t for t, tok in runs)
        rates[name] = (rps, tps)
        print(f"{name:8} {rps:8.2f} {tps:8.1f}")
    print(
        f"ratio factory/raw: requests/s {rates['factory'][0] / rates['raw'][0]:.3f}, "
        f"tokens/s {rates['factory'][1] / rates['raw'][1]:.3f}"
    )


if __name__ == "__main__":
    main()
