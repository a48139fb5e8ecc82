"""Hallucination-detection data: queries from references, injected and translated FAVA spans."""
