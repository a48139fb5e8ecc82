"""One real Label Studio server for the annotation tests, and annotators who sign up to it."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from label_studio_sdk import LabelStudio

from babelforge.annotation.local_server import (
    LocalLabelStudio,
    LocalServerError,
    executable,
    fresh_data_dir,
)
from babelforge.flows.store import RunStore
from babelforge.schemas.gold_config import GoldConfig
from tests.annotation.run_factory import build_run


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLabelStudio]:
    """Label Studio from .venv-ls on a free port of 127.0.0.1, stopped after the session."""
    try:
        executable()
    except LocalServerError as e:
        pytest.fail(str(e), pytrace=False)
    data = fresh_data_dir(tmp_path_factory.mktemp("label-studio") / "data")
    with LocalLabelStudio(data_dir=data) as server:
        yield server


@dataclass(frozen=True)
class Annotator:
    """A person who signed up through the web form and annotates with their own API token."""

    email: str
    user_id: int
    sdk: LabelStudio


def sign_up(url: str, email: str, password: str) -> Annotator:
    """Sign up as a new user would (the web form), then read the user's own API token."""
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as web:
        web.get("/user/signup/")
        response = web.post(
            "/user/signup/",
            data={
                "email": email,
                "password": password,
                "csrfmiddlewaretoken": web.cookies["csrftoken"],
            },
            headers={"Referer": f"{url}/user/signup/"},
        )
        assert response.status_code == 302, f"signup of {email} failed: {response.status_code}"
        token = web.get("/api/current-user/token").json()["token"]
        user_id = web.get("/api/current-user/whoami").json()["id"]
    return Annotator(email=email, user_id=user_id, sdk=LabelStudio(base_url=url, api_key=token))


@pytest.fixture(scope="session")
def annotators(label_studio: LocalLabelStudio) -> tuple[Annotator, Annotator]:
    """Two annotators, Anahit and Bernd."""
    return (
        sign_up(label_studio.url, "anahit@example.org", "anahit-password-1"),
        sign_up(label_studio.url, "bernd@example.org", "bernd-password-1"),
    )


@pytest.fixture
def gold_env(label_studio: LocalLabelStudio) -> dict[str, str]:
    """The environment a user sets: the server URL and the admin's API key."""
    return {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}


@pytest.fixture
def gold_config() -> GoldConfig:
    """Gold settings with a project prefix of its own, so tests never share projects."""
    return GoldConfig(project_prefix=f"t-{uuid.uuid4().hex[:8]}", per_stratum=2)


@pytest.fixture
def run_store(tmp_path: Path) -> RunStore:
    """A run directory with real records and verdicts of the three kinds."""
    return build_run(tmp_path / "run")
