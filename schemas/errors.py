"""The one base error of babelforge and the errors every package shares."""


class BabelforgeError(Exception):
    """Base of every error babelforge raises on purpose; its message says what to do."""


class ConfigError(BabelforgeError):
    """A run config or input file is invalid; the message names the file, line and field."""


class InputError(BabelforgeError):
    """An input record is malformed; the message names the file, line and record."""
