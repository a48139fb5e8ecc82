"""Upload an export folder to the Hugging Face Hub as a dataset repository.

The token comes from the environment and is handed to the Hub client in memory only: no
`huggingface_hub.login`, no token file, nothing logged. A refused token (401, 403) is one
`HubAuthError` naming the repository and the variable, never retried; `is_transient` tells
the errors a retry may heal (the network, 408, 429, 5xx) from every other.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, cast

from pydantic import SecretStr

from babelforge.flows.export.lm_eval import FOLDER as LM_EVAL
from babelforge.flows.export.lm_eval import hub_task
from babelforge.schemas.base import Record
from babelforge.schemas.errors import BabelforgeError
from babelforge.schemas.secrets import remember, scrub

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
AUTH_STATUS = frozenset({401, 403})


class MissingTokenError(BabelforgeError):
    """No Hub token in the environment."""


class HubAuthError(BabelforgeError):
    """The Hub refused the token: a user error (exit 2) that no retry heals."""

    exit_code = 2


class HubApi(Protocol):
    """The part of `huggingface_hub.HfApi` the push uses."""

    def create_repo(self, repo_id: str, **kwargs: Any) -> Any: ...

    def upload_folder(self, **kwargs: Any) -> Any: ...


ApiFactory = Callable[[str], HubApi]
PUSHED = ("data", "lm_eval", "mushroom", "evaluation")
"""The export's folders that are part of the dataset (besides the card, README.md)."""


class PushSummary(Record):
    """Where the export went."""

    repo_id: str
    private: bool
    url: str
    commit: str | None = None


def hub_token(environ: Mapping[str, str], token_env: str = "HF_TOKEN") -> SecretStr:
    """The Hub token from the environment; a clear error when it is missing."""
    value = environ.get(token_env, "").strip()
    if not value:
        raise MissingTokenError(
            f"{token_env} is not set: export a Hugging Face write token in {token_env}"
        )
    remember(value)
    return SecretStr(value)


def http_status(error: BaseException) -> int | None:
    """The HTTP status of a Hub client error (`HfHubHTTPError.response`), None otherwise."""
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(error: BaseException | None) -> bool:
    """Whether a retry may heal `error`: a connection error or timeout, 408, 425, 429, 5xx."""
    if error is None or isinstance(error, BabelforgeError):
        return False
    status = http_status(error)
    if status is not None:
        return status in TRANSIENT_STATUS
    return isinstance(error, _transport_errors())


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Connection errors and timeouts of the HTTP clients in use (huggingface_hub 2 speaks
    `httpx2`, a fork of httpx)."""
    import httpx

    found: list[type[BaseException]] = [httpx.TransportError, ConnectionError, TimeoutError]
    with contextlib.suppress(ImportError):
        import httpx2

        found.append(httpx2.TransportError)
    return tuple(found)


def _refused(error: Exception, repo_id: str, token_env: str) -> HubAuthError | None:
    status = http_status(error)
    if status not in AUTH_STATUS:
        return None
    what = "is not valid" if status == 401 else "may not write to it"
    said = scrub(str(error).splitlines()[0])
    return HubAuthError(
        f"the Hub refused to push to {repo_id}: the token in {token_env} {what} ({said}); "
        f"put a write token with access to {repo_id} in {token_env} and push again"
    )


def _hf_api(token: str) -> HubApi:
    from huggingface_hub import HfApi

    return cast(HubApi, HfApi(token=token))


def push_export(
    folder: str,
    repo_id: str,
    *,
    private: bool,
    environ: Mapping[str, str],
    token_env: str = "HF_TOKEN",
    message: str = "babelforge export",
    api_factory: ApiFactory = _hf_api,
) -> PushSummary:
    """Create the dataset repository (private unless told otherwise) and upload the folder."""
    if not (Path(folder) / "README.md").is_file():
        raise BabelforgeError(
            f"{folder} is not an export folder (no README.md): run the factory first"
        )
    token = hub_token(environ, token_env)
    api = api_factory(token.get_secret_value())
    try:
        repo = api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        with staged_export(Path(folder), repo_id) as staged:
            commit = api.upload_folder(
                folder_path=str(staged),
                repo_id=repo_id,
                repo_type="dataset",
                commit_message=message,
                allow_patterns=["README.md", *(f"{part}/**" for part in PUSHED)],
            )
    except Exception as e:
        refused = _refused(e, repo_id, token_env)
        if refused is not None:
            raise refused from e
        raise
    return PushSummary(
        repo_id=repo_id,
        private=private,
        url=str(getattr(repo, "url", f"https://huggingface.co/datasets/{repo_id}")),
        commit=getattr(commit, "oid", None),
    )


@contextmanager
def staged_export(folder: Path, repo_id: str) -> Iterator[Path]:
    """The files the push uploads, as one folder beside the export (hard links where the
    file system allows them, else copies), with the lm-eval tasks' `dataset_path` rewritten
    to `repo_id` so the pushed tasks load the pushed dataset; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=".push-", dir=folder.parent) as tmp:
        staged = Path(tmp)
        files = [folder / "README.md"]
        files += [p for part in PUSHED for p in sorted((folder / part).rglob("*")) if p.is_file()]
        for source in files:
            target = staged / source.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.parent == folder / LM_EVAL and source.suffix == ".yaml":
                task = hub_task(source.read_text(encoding="utf-8"), repo_id)
                target.write_text(task, encoding="utf-8")
                continue
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        yield staged
