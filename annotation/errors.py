"""Errors of the Label Studio round trip; each message says what to check or run."""

from babelforge.schemas.errors import BabelforgeError


class AnnotationError(BabelforgeError):
    """Base of the errors of the gold check."""


class LabelStudioUnreachable(AnnotationError):
    """The server did not answer (down, wrong URL, timeout); retrying later is safe."""


class LabelStudioAuthError(AnnotationError):
    """The server refused the API key; retrying will not help until the key is fixed."""


class LabelStudioRequestError(AnnotationError):
    """The server answered a request with an error other than an authentication failure."""


class MissingSettingError(AnnotationError):
    """LABEL_STUDIO_URL or LABEL_STUDIO_API_KEY is not set in the environment."""
