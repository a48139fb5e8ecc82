"""Pure checks: record in, Verdict out; and the runner that applies them to a shard."""
