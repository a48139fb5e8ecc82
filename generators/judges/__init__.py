"""LLM-backed checks: the QA judge and the GEMBA-MQM translation-quality judge.

They return Verdicts like every validator, but await a ChatClient, so they are
`AsyncValidator`s that the runner awaits only on records the cheap checks kept.
"""
