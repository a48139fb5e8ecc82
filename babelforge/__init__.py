"""babelforge: a factory for multilingual synthetic datasets.

The packages live in the repository's top-level folders (schemas/, validators/, generators/,
annotation/, flows/, and recipes/ once it exists); this folder links them under one import
name, so an installed babelforge adds only `babelforge` to the user's environment and
cannot collide with PyPI packages such as `validators`.
"""

import os

# Nothing babelforge runs may call outside hosts: every dependency's telemetry is off unless
# the user's environment says otherwise. Set here, before any of them is imported through
# babelforge, because most read these variables once at import.
_QUIET_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "DO_NOT_TRACK": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
    "COMET_ERROR_TRACKING_ENABLE": "false",
}
for _name, _value in _QUIET_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
