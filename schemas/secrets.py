"""The secret values a run knows, and `scrub`, which keeps them out of every stored text.

An upstream error can echo what it was sent (a 401 body quoting the API key, a proxy's 500
repeating the request headers); whatever babelforge stores from such a text (failed records,
the report, the Comet experiment, log files) goes through `scrub` first. A value is secret
when it was read through one of the secret readers (`LLMConfig.api_key`, `GoldConfig.api_key`,
the Hub token, the Comet key: they call `remember`), or when it is the value of an
environment variable that is known to hold one or whose name looks secret. Only values of 8
characters or more count, so that a flag such as `1` is not blanked everywhere.
`scrub_logs` does the same for log records (message and traceback) of the loggers whose
records Prefect stores.
"""

import logging
import os
import re
from collections.abc import Iterable, Mapping

from pydantic import SecretStr

REDACTED = "***"
MIN_LENGTH = 8
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
KNOWN_SECRET_ENVS = frozenset(
    {
        "COMET_API_KEY",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "LABEL_STUDIO_API_KEY",
        "OPENAI_API_KEY",
    }
)
"""The variables babelforge's defaults read secrets from (names that a config can change
are also caught by `remember` when they are read)."""

_remembered: set[str] = set()


def remember(value: str | SecretStr | None) -> None:
    """Count `value` (a key the run read) among the secrets from now on, in this process."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is not None and len(value.strip()) >= MIN_LENGTH:
        _remembered.add(value.strip())


def secret_values(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every secret value known now, longest first (so that a key containing another is
    replaced whole)."""
    env = os.environ if environ is None else environ
    found = {
        v.strip()
        for k, v in env.items()
        if (k in KNOWN_SECRET_ENVS or SECRET_NAME.search(k)) and len(v.strip()) >= MIN_LENGTH
    }
    return tuple(sorted(found | _remembered, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every value of `secrets` replaced by ***."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every secret the run knows replaced by *** (see the module docstring)."""
    return redact(text, secret_values(environ))


LOGGED = ("", "prefect", "prefect.flow_runs", "prefect.task_runs", "babelforge")
"""The loggers whose handlers write where records are kept: the console, log files,
Prefect's database (the root logger's handlers serve every logger that propagates)."""


class ScrubFilter(logging.Filter):
    """Rewrites a record's message and traceback text with the secrets replaced by ***."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = secret_values()
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if any(s in message or (record.exc_text and s in record.exc_text) for s in secrets):
            record.msg, record.args = redact(message, secrets), ()
            record.exc_text = redact(record.exc_text, secrets) if record.exc_text else None
        return True


def scrub_logs(names: Iterable[str] = LOGGED) -> None:
    """Put a ScrubFilter (once) on every handler of the named loggers, so that records
    reaching them from any logger are scrubbed."""
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, ScrubFilter) for f in handler.filters):
                handler.addFilter(ScrubFilter())
