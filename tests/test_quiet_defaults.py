"""Nothing babelforge runs calls outside hosts: importing it turns every dependency's telemetry
off, also for a bare `babelforge run` started outside `make`, while a user's own setting wins."""

import os
import subprocess
import sys

PROBE = """
import babelforge
import huggingface_hub.constants as hub
from prefect.settings import get_current_settings
import os
analytics = get_current_settings().server.analytics_enabled
print(analytics, hub.HF_HUB_DISABLE_TELEMETRY, os.environ["RAY_USAGE_STATS_ENABLED"])
"""

TELEMETRY = (
    "PREFECT_SERVER_ANALYTICS_ENABLED",
    "HF_HUB_DISABLE_TELEMETRY",
    "RAY_USAGE_STATS_ENABLED",
    "DO_NOT_TRACK",
    "COMET_ERROR_TRACKING_ENABLE",
)


def _probe(**extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in TELEMETRY} | extra
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_babelforge_turns_prefect_hub_and_ray_telemetry_off() -> None:
    assert _probe() == ["False", "True", "0"]


def test_a_users_own_setting_wins() -> None:
    assert _probe(RAY_USAGE_STATS_ENABLED="1")[2] == "1"
