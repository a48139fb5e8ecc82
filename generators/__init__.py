"""Everything that talks to an LLM, plus mining of parallel content."""
