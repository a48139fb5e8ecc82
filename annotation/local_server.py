"""A real Label Studio server on 127.0.0.1, for the tests and the browser check.

Label Studio lives in its own virtualenv (`make services` builds `.venv-ls`; it pins
packages that conflict with prefect's). The first start migrates an empty database, about a
minute on 2 cores, so the migrated data directory is kept once as a template (inside
`.venv-ls`, which is ignored by git and removed by `make clean`) and copied for every server.
"""

import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from babelforge.annotation.errors import AnnotationError
from babelforge.generators.local_process import free_port, stop_group, wait_healthy

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
LS_VENV = REPO / ".venv-ls"
ADMIN_EMAIL = "admin@babelforge.local"
ADMIN_PASSWORD = "babelforge-admin"  # a throwaway server on loopback only
ADMIN_TOKEN = "b4be1f0e9e0000000000000000000000000000ba"


class LocalServerError(AnnotationError):
    """The local Label Studio is not installed or did not come up."""


def executable(venv: Path = LS_VENV) -> Path:
    """The `label-studio` command of the virtualenv; a clear error when it is missing."""
    path = venv / "bin" / "label-studio"
    if not path.exists():
        raise LocalServerError(
            f"{path} is missing: run `make services` to install Label Studio into {venv}"
        )
    return path


@dataclass
class LocalLabelStudio:
    """Start Label Studio on 127.0.0.1 with a known admin and API token; stop it on exit."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    startup_timeout_s: float = 300.0
    venv: Path = LS_VENV
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return ADMIN_TOKEN

    def start(self) -> None:
        """Start the server and wait until /health answers."""
        command = [
            str(executable(self.venv)), "start",
            "--internal-host", "127.0.0.1", "--port", str(self.port), "--no-browser",
            "--username", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--user-token", ADMIN_TOKEN,
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
        env.update(
            LABEL_STUDIO_BASE_DATA_DIR=str(self.data_dir),
            LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
            LABEL_STUDIO_LATEST_VERSION_CHECK="false",
            LABEL_STUDIO_COLLECT_ANALYTICS="false",
        )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_path or self.data_dir / "server.log"
        with open(log_path, "ab") as out:
            self._process = subprocess.Popen(
                command,
                cwd=self.data_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_healthy(
            self._process,
            f"{self.url}/health",
            name="Label Studio",
            timeout_s=self.startup_timeout_s,
            error=LocalServerError,
            log_path=log_path,
            interval_s=1.0,
        )

    def stop(self) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL after 20 s)."""
        process, self._process = self._process, None
        stop_group(process)

    def __enter__(self) -> "LocalLabelStudio":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def installed_version(venv: Path = LS_VENV) -> str:
    """The label-studio version installed in the virtualenv (from its dist-info folder)."""
    found = sorted(venv.glob("lib/python*/site-packages/label_studio-*.dist-info"))
    return found[-1].name.removeprefix("label_studio-").removesuffix(".dist-info") if found else ""


def template_dir(venv: Path = LS_VENV) -> Path:
    """Where the migrated data directory template is kept."""
    return venv / "babelforge-template"


def migrated_template(venv: Path = LS_VENV) -> Path:
    """The migrated data directory (admin and token included), built once per Label Studio
    version installed in the virtualenv."""
    target = template_dir(venv)
    marker = target / "babelforge-template.json"
    version = installed_version(venv)
    if marker.exists() and json.loads(marker.read_text()).get("label_studio") == version:
        return target
    executable(venv)
    shutil.rmtree(target, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix="template-", dir=venv))
    started = time.monotonic()
    with LocalLabelStudio(data_dir=building, venv=venv):
        pass
    (building / "server.log").unlink(missing_ok=True)
    (building / "babelforge-template.json").write_text(
        json.dumps(
            {
                "label_studio": version,
                "admin": ADMIN_EMAIL,
                "built_in_s": round(time.monotonic() - started, 1),
            }
        )
    )
    try:
        building.rename(target)
    except OSError:  # another process built it meanwhile
        shutil.rmtree(building, ignore_errors=True)
    log.info("Label Studio data template ready in %s", target)
    return target


def fresh_data_dir(destination: Path, venv: Path = LS_VENV) -> Path:
    """A copy of the migrated template at `destination`, for one server."""
    shutil.copytree(migrated_template(venv), destination)
    return destination
