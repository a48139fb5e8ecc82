"""Benchmarking models on the sets the factory exported: MCQ answers, hallucination judgements,
and the statistics of both."""
