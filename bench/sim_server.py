"""A simulated continuous-batching LLM server: an instrument for the saturation and memory benches.

It speaks the OpenAI chat-completions API on 127.0.0.1 like vLLM does: `slots` sequences run at
once, the others wait in the server's queue; a request holds its slot for
(prompt tokens + completion tokens) / `tokens_per_s` seconds. Replies satisfy the requested JSON
schema and are built from the prompt, so the factory's later stages get work:

- an MCQ prompt (schema with question/options/answer_index) gets a question whose answer is a
  phrase copied from its paragraph, with three distractors that are not in it;
- a QA judge prompt (schema with answer_index only) picks the option found in the paragraph, an
  MQM judge prompt (schema with errors) finds no error;
- a translation prompt (schema with `translation`, or `translations` for a batch) gets the text
  after its `...text:` line (or each text of its `Texts: [...]` list) in ROT13: digits,
  punctuation and ⟦n⟧ markers stay, and the back-translation of a translation is the English
  text again (round-trip chrF 100). A bench
  corpus whose target paragraphs are the ROT13 of their English ones passes the answer checks.

Every slot hold is recorded; `GET /stats` returns them for utilisation, `GET /metrics` gives
vLLM's Prometheus gauges (`vllm:num_requests_waiting`, `vllm:num_requests_running`).

    .venv/bin/python -m bench.sim_server --slots 64 --tokens-per-s 200 --port 8011
"""

import argparse
import asyncio
import codecs
import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

MODEL = "sim-continuous-batching"
_TEXT_LINE = re.compile(r"(?im)^[^\n]*\btext:[ \t]*\n")
_TEXT_LIST = re.compile(r"(?m)^Texts: (\[.*\])[ \t]*$")
_PARAGRAPH = re.compile(r"Paragraph:\s*(.*?)\n\s*\n", re.DOTALL)
_OPTION = re.compile(r"(?m)^([0-3])\. (.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SYLLABLES = ("qua", "zen", "pho", "wix", "jor", "blu", "kry", "vem")
_THINGS = ("a silver lighthouse near", "the northern glacier of", "the copper bells of")


def rot13(text: str) -> str:
    """The simulated 'translation': reversible, keeps digits, punctuation and markers."""
    return codecs.encode(text, "rot13")


def tokens(text: str) -> int:
    """A rough token count (4 characters a token), enough to size the slot hold."""
    return max(1, len(text) // 4)


def text_to_translate(prompt: str) -> str:
    """The text after the prompt's first `...text:` line (both translation templates)."""
    match = _TEXT_LINE.search(prompt)
    return prompt[match.end() :] if match else prompt


def mcq_reply(prompt: str) -> dict[str, Any]:
    """A question answered by a phrase of the (last) paragraph in the prompt."""
    found = _PARAGRAPH.findall(prompt + "\n\n")
    paragraph = found[-1] if found else prompt
    sentences = [s for s in _SENTENCE.split(paragraph.strip()) if len(s.split()) >= 4]
    digest = int(hashlib.sha1(prompt.encode("utf-8")).hexdigest(), 16)
    sentence = sentences[digest % len(sentences)] if sentences else paragraph
    words = sentence.rstrip(".!?").split()
    start = (digest >> 32) % max(1, len(words) - 7)  # where the lead starts: not always first
    lead, answer = " ".join(words[start : start + 3]), " ".join(words[start + 3 : start + 8])
    answer = answer or sentence
    names = sorted({w.strip(".,;:") for w in paragraph.split() if w[:1].isupper()}) or [""]
    topic = names[(digest >> 64) % len(names)]
    index = digest % 4
    options = [f"{thing} {_invented(digest >> (8 * n))}" for n, thing in enumerate(_THINGS)]
    options.insert(index, answer[:100])
    return {
        "question": f"In the text on {topic}, what follows '{lead}'?"[:200],
        "options": options,
        "answer_index": index,
    }


def _invented(bits: int) -> str:
    """A name made of syllables no bench paragraph uses, so a distractor is never found."""
    return "".join(_SYLLABLES[(bits >> (3 * k)) % 8] for k in range(3)).capitalize()


def judge_reply(prompt: str) -> dict[str, Any]:
    """The QA judge's pick: the numbered option found in the paragraph (0 when none is)."""
    found = _PARAGRAPH.findall(prompt + "\n\n")
    paragraph = found[-1] if found else ""
    for number, option in _OPTION.findall(prompt):
        if option.strip() and option.strip() in paragraph:
            return {"answer_index": int(number)}
    return {"answer_index": 0}


def batch_reply(prompt: str) -> dict[str, Any]:
    """Every text of the prompt's `Texts: [...]` JSON list, translated, in order."""
    match = _TEXT_LIST.search(prompt)
    texts = json.loads(match.group(1)) if match else []
    return {"translations": [rot13(str(text)) for text in texts]}


def reply_kind(schema: dict[str, Any] | None) -> str:
    """Which kind of request `schema` asks for: mcq, judge, mqm, batch, translation or other."""
    properties = (schema or {}).get("properties", {})
    if "question" in properties and "options" in properties:
        return "mcq"
    for name, kind in (("answer_index", "judge"), ("errors", "mqm"), ("translations", "batch")):
        if name in properties:
            return kind
    return "translation" if "translation" in properties else "other"


def build_reply(prompt: str, schema: dict[str, Any] | None) -> str:
    """A JSON reply that satisfies `schema`, built from `prompt`."""
    kind = reply_kind(schema)
    if kind == "mcq":
        return json.dumps(mcq_reply(prompt), ensure_ascii=False)
    if kind == "judge":
        return json.dumps(judge_reply(prompt), ensure_ascii=False)
    if kind == "mqm":
        return json.dumps({"errors": []})
    if kind == "batch":
        return json.dumps(batch_reply(prompt), ensure_ascii=False)
    if kind == "translation":
        return json.dumps({"translation": rot13(text_to_translate(prompt))}, ensure_ascii=False)
    properties = (schema or {}).get("properties", {})
    return json.dumps({name: "ok" for name in properties}, ensure_ascii=False)


@dataclass
class Slots:
    """The sequence slots, the waiting queue, and the record of every hold."""

    slots: int
    tokens_per_s: float
    running: int = 0
    waiting: int = 0
    holds: list[tuple[float, float, str]] = field(default_factory=list)
    _gate: asyncio.Semaphore | None = None

    async def hold(self, n_tokens: int, kind: str = "other") -> None:
        """Queue for a slot, then keep it for as long as `n_tokens` take to process; the hold
        is recorded with its request's `kind` (which reply it got) for the timeline."""
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.slots)
        self.waiting += 1
        async with self._gate:
            self.waiting -= 1
            self.running += 1
            start = time.monotonic()
            await asyncio.sleep(n_tokens / self.tokens_per_s)
            self.holds.append((start, time.monotonic(), kind))
            self.running -= 1


def make_app(state: Slots) -> Starlette:
    """The OpenAI-compatible routes, /metrics, /stats and /health over `state`."""

    async def completions(request: Request) -> Response:
        body = await request.json()
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        fmt = body.get("response_format") or {}
        schema = fmt.get("json_schema", {}).get("schema") if "json_schema" in fmt else None
        schema = schema or fmt.get("schema")
        text = build_reply(prompt, schema)
        prompt_tokens, completion_tokens = tokens(prompt), tokens(text)
        await state.hold(prompt_tokens + completion_tokens, reply_kind(schema))
        return JSONResponse(
            {
                "id": f"sim-{len(state.holds)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", MODEL),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )

    async def metrics(_: Request) -> Response:
        label = f'{{model_name="{MODEL}"}}'
        return PlainTextResponse(
            "# TYPE vllm:num_requests_waiting gauge\n"
            f"vllm:num_requests_waiting{label} {state.waiting}\n"
            "# TYPE vllm:num_requests_running gauge\n"
            f"vllm:num_requests_running{label} {state.running}\n"
        )

    async def stats(_: Request) -> Response:
        return JSONResponse({"slots": state.slots, "holds": state.holds})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/metrics", metrics),
            Route("/stats", stats),
            Route("/health", health),
        ]
    )


@dataclass(frozen=True)
class Occupancy:
    """Slot use over the LLM phase (first slot taken to last slot freed)."""

    slots: int
    requests: int
    busy_s: float  # slot-seconds used
    phase_s: float  # wall time from the first hold's start to the last hold's end

    @property
    def utilisation(self) -> float:
        return self.busy_s / (self.slots * self.phase_s) if self.phase_s else 0.0

    @property
    def ideal_s(self) -> float:
        """The time the same work takes with every slot busy all along."""
        return self.busy_s / self.slots


def occupancy(stats: dict[str, Any]) -> Occupancy:
    """Summarise the `/stats` answer of a server."""
    holds = stats["holds"]
    if not holds:
        return Occupancy(stats["slots"], 0, 0.0, 0.0)
    start = min(h[0] for h in holds)
    end = max(h[1] for h in holds)
    busy = sum(h[1] - h[0] for h in holds)
    return Occupancy(stats["slots"], len(holds), busy, end - start)


@contextlib.contextmanager
def running_server(slots: int, tokens_per_s: float, port: int) -> Iterator[str]:
    """Start the server in its own process group (its CPU is not the factory's); yield its URL."""
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "bench.sim_server", "--slots", str(slots)),
            *("--tokens-per-s", str(tokens_per_s), "--port", str(port)),
        ],
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sim server on port {port} did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def fetch_stats(base_url: str) -> dict[str, Any]:
    """The server's slot holds so far (`/stats`)."""
    with urllib.request.urlopen(f"{base_url}/stats", timeout=30) as response:
        data: dict[str, Any] = json.load(response)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=64)
    parser.add_argument("--tokens-per-s", type=float, default=200.0)
    parser.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()
    app = make_app(Slots(args.slots, args.tokens_per_s))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
