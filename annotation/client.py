"""The Label Studio calls the gold check makes, through label-studio-sdk, with clear errors.

Every SDK or transport failure becomes an AnnotationError subclass whose message names the
server and the operation but never the API key (the SDK's own errors print response headers,
so they are not passed on as text).
"""

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from pydantic import BaseModel, ConfigDict, SecretStr

from babelforge.annotation.errors import (
    LabelStudioAuthError,
    LabelStudioRequestError,
    LabelStudioUnreachable,
    MissingSettingError,
)
from babelforge.schemas.gold_config import GoldConfig

log = logging.getLogger(__name__)

JSON = dict[str, Any]


@dataclass(frozen=True)
class Connection:
    """Where Label Studio is and the key to use; the key stays a SecretStr."""

    url: str
    api_key: SecretStr = field(repr=False)
    timeout_s: float = 30.0

    @classmethod
    def from_env(cls, config: GoldConfig, environ: dict[str, str]) -> "Connection":
        """Read the URL and key from the environment variables the config names."""
        url, key = config.url(environ), config.api_key(environ)
        missing = [
            name
            for name, value in ((config.url_env, url), (config.api_key_env, key))
            if value is None
        ]
        if missing or url is None or key is None:
            raise MissingSettingError(
                f"set {' and '.join(missing)} in the environment: the Label Studio URL "
                "(e.g. http://127.0.0.1:8080) and an API key from its Account & Settings page"
            )
        return cls(url=url, api_key=key, timeout_s=config.timeout_s)


class ExportedAnnotation(BaseModel):
    """One annotation as Label Studio exports it (only the fields the gold check reads)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    completed_by: int | dict[str, Any] | None = None
    result: list[JSON] = []
    was_cancelled: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def annotator(self) -> str:
        """A stable annotator key: the user id (or email when the export expands the user)."""
        who = self.completed_by
        if isinstance(who, dict):
            return str(who.get("email") or who.get("id"))
        return str(who)


class ExportedTask(BaseModel):
    """One exported task: its data (with our `record_id`) and its annotations."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    data: JSON
    annotations: list[ExportedAnnotation] = []


@dataclass(frozen=True)
class TaskRef:
    """An existing task: its id and which runs' predictions it carries."""

    task_id: int
    model_versions: frozenset[str]


class GoldClient:
    """The few Label Studio operations of the gold round trip."""

    def __init__(self, connection: Connection, sdk: LabelStudio | None = None) -> None:
        self.url = connection.url
        with self._calling("connect"):
            self.sdk = sdk or LabelStudio(
                base_url=connection.url,
                api_key=connection.api_key.get_secret_value(),
                timeout=connection.timeout_s,
            )

    def check(self) -> str:
        """Ask who we are: proves the server answers and accepts the key; returns the email."""
        with self._calling("check the API key"):
            user = self.sdk.users.whoami()
        return str(user.email or user.username or user.id)

    def find_project(self, title: str) -> int | None:
        """The id of the oldest project with exactly this title, or None."""
        with self._calling(f"look up project {title!r}"):
            projects: Iterable[Any] = self.sdk.projects.list(title=title)
            ids = sorted(int(p.id) for p in projects if p.title == title)
        return ids[0] if ids else None

    def ensure_project(
        self,
        title: str,
        label_config: str,
        *,
        description: str,
        annotators_per_task: int,
        show_predictions: bool,
    ) -> int:
        """Create the project if missing, else reuse it (label config and settings refreshed)."""
        project_id = self.find_project(title)
        if project_id is None:
            with self._calling(f"create project {title!r}"):
                project = self.sdk.projects.create(
                    title=title,
                    description=description,
                    label_config=label_config,
                    maximum_annotations=annotators_per_task,
                    show_collab_predictions=show_predictions,
                )
            log.info("gold: created Label Studio project %s (%s)", project.id, title)
            return int(project.id or 0)
        with self._calling(f"update project {title!r}"):
            current = self.sdk.projects.get(project_id)
            wanted = (description, label_config, annotators_per_task, show_predictions)
            have = (
                current.description,
                current.label_config,
                current.maximum_annotations,
                current.show_collab_predictions,
            )
            if have != wanted:
                self.sdk.projects.update(
                    project_id,
                    description=description,
                    label_config=label_config,
                    maximum_annotations=annotators_per_task,
                    show_collab_predictions=show_predictions,
                )
        return project_id

    def show_model_version(self, project_id: int, model_version: str) -> None:
        """Make the project pre-fill forms with this run's predictions (they must exist)."""
        with self._calling(f"select model version {model_version!r} in project {project_id}"):
            self.sdk.projects.update(project_id, model_version=model_version)

    def task_refs(self, project_id: int) -> dict[str, TaskRef]:
        """Existing tasks keyed by the record id stored in their data."""
        refs: dict[str, TaskRef] = {}
        with self._calling(f"list the tasks of project {project_id}"):
            tasks: Iterable[Any] = self.sdk.tasks.list(
                project=project_id, fields="all", page_size=500
            )
            for task in tasks:
                record_id = (task.data or {}).get("record_id")
                if record_id is None or task.id is None:
                    continue
                versions = frozenset(
                    str(p.model_version) for p in task.predictions or () if p.model_version
                )
                refs[str(record_id)] = TaskRef(task_id=int(task.id), model_versions=versions)
        return refs

    def import_tasks(self, project_id: int, tasks: Sequence[JSON]) -> int:
        """Import tasks with their predictions in one request; returns the count created."""
        with self._calling(f"import {len(tasks)} tasks into project {project_id}"):
            response = self.sdk.projects.import_tasks(project_id, request=cast(Any, list(tasks)))
        return int(response.task_count or 0)

    def add_prediction(self, task_id: int, prediction: JSON) -> None:
        """Attach another run's prediction to an existing task."""
        with self._calling(f"add a prediction to task {task_id}"):
            self.sdk.predictions.create(
                task=task_id,
                result=prediction["result"],
                score=prediction.get("score"),
                model_version=prediction["model_version"],
            )

    def export(self, project_id: int) -> list[ExportedTask]:
        """Every annotated task of a project with all its annotations (the JSON export)."""
        with self._calling(f"export project {project_id}"):
            blob = b"".join(
                self.sdk.projects.exports.download_sync(
                    project_id, export_type="JSON", download_all_tasks=False
                )
            )
        try:
            rows = json.loads(blob)
        except json.JSONDecodeError as e:
            raise LabelStudioRequestError(
                f"Label Studio at {self.url} sent an export of project {project_id} that is not "
                f"JSON ({len(blob)} bytes): {e}"
            ) from e
        return [ExportedTask.model_validate(row) for row in rows]

    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        try:
            yield
        except httpx.TransportError as e:
            raise LabelStudioUnreachable(
                f"Label Studio at {self.url} did not answer ({type(e).__name__}) while trying to "
                f"{what}; check that it runs and LABEL_STUDIO_URL points at it. Nothing was "
                "lost: run again (pushing and pulling are idempotent)."
            ) from None
        except ApiError as e:
            raise _api_error(self.url, what, e) from None


def _api_error(url: str, what: str, error: ApiError) -> Exception:
    status = error.status_code
    detail = error.body.get("detail") if isinstance(error.body, dict) else None
    if status in (401, 403):
        why = str(detail or "not authorised").rstrip(".")
        return LabelStudioAuthError(
            f"Label Studio at {url} refused the API key ({status}) while trying to {what}: "
            f"{why}. Set LABEL_STUDIO_API_KEY to a valid key (Account & Settings > Access Token) "
            "and run again."
        )
    if status is None or status >= 500 or status in (408, 429):
        return LabelStudioUnreachable(
            f"Label Studio at {url} failed ({status}) while trying to {what}; "
            "it is overloaded or broken. Nothing was lost: run again later."
        )
    body = error.body if isinstance(error.body, dict) else {"body": str(error.body)[:500]}
    problems = body.get("validation_errors") or detail or body
    return LabelStudioRequestError(
        f"Label Studio at {url} rejected the request to {what} ({status}): {problems}"
    )
