"""Reason codes and check names of earlier releases, read as today's.

Runs written before the translation checks became one family carry per-recipe prefixes
(`instr_langid.wrong_script`, `halluc_langid.wrong_language`, `instr_length.too_short`,
...). Whatever reads stored verdicts or reason counts (the run report, gold metrics,
calibration) passes each code through `current_reason` and each validator name through
`current_check`, so old and new runs count under one code.
"""

_CHECKS: dict[str, str] = {
    "instr_langid": "langid",
    "halluc_langid": "langid",
    "instr_length": "length_ratio",
    "instr_roundtrip": "roundtrip_chrf",
    "instr_protected": "protected_spans",
    "instr_copy": "copy",
    "llm_judge": "qa_judge",
}
_CAUSES: dict[str, str] = {
    "instr_roundtrip.missing": "roundtrip_chrf.missing_back_translation",
    "protected_spans.lost": "protected_spans.missing",
}


def current_check(name: str) -> str:
    """Return today's name of a check ('instr_langid' -> 'langid'); other names unchanged."""
    return _CHECKS.get(name, name)


def current_reason(code: str) -> str:
    """Return today's reason code ('halluc_langid.wrong_script' -> 'langid.wrong_script');
    codes that never changed come back as they are."""
    if code in _CAUSES:
        return _CAUSES[code]
    check, sep, cause = code.partition(".")
    renamed = current_check(check)
    return f"{renamed}{sep}{cause}" if renamed != check else code
