"""The wheel installs only `babelforge`, so it lives next to PyPI's `validators` package."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.processes import run_bounded

ROOT = Path(__file__).resolve().parents[1]
PIP = (sys.executable, "-m", "pip")


def _source_copy(target: Path) -> Path:
    """The working tree's files (tracked and new, not ignored) copied as they are, links kept,
    so that building leaves no build/ folder in the repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, copy = ROOT / name, target / name
        if not os.path.lexists(source):
            continue  # deleted in the working tree, not yet in the index
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, copy)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """babelforge's wheel, built by pip from a copy of the working tree."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = _source_copy(tmp / "src")
    out = tmp / "wheels"
    built = run_bounded(
        [*PIP, "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        env=os.environ,
        timeout_s=600,
    )
    assert built.returncode == 0, built.stdout
    (found,) = out.glob("babelforge-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_holds_only_the_babelforge_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level == {"babelforge", "babelforge-0.1.0.dist-info"}
    assert "babelforge/validators/langid.py" in names
    assert "babelforge/generators/prompts/translate.j2" in names


@pytest.mark.slow
def test_pypi_validators_and_babelforge_validators_import_side_by_side(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    made = run_bounded(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], env=os.environ, timeout_s=120
    )
    assert made.returncode == 0, made.stdout
    python = venv / "bin" / "python"
    installed = run_bounded(
        [*PIP, "--python", str(python), "install", "-q", "--no-deps", str(wheel), "validators"],
        env=os.environ,
        timeout_s=300,
    )
    assert installed.returncode == 0, installed.stdout
    probe = (
        "import validators, babelforge.validators as ours\n"
        "assert validators.url('https://hy.wikipedia.org/wiki/Արագած')\n"
        "assert validators.email('ani@example.am')\n"
        "print(validators.__file__)\n"
        "print(ours.__file__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    ran = run_bounded([str(python), "-I", "-c", probe], env=env, timeout_s=120, cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout
    theirs, ours = ran.stdout.split()
    site = str(venv / "lib")
    assert theirs.startswith(site) and theirs.endswith("validators/__init__.py")
    assert ours.startswith(site) and ours.endswith("babelforge/validators/__init__.py")
