"""Small helpers the engine tests share."""
from __future__ import annotations

import time
import uuid


def unique_name(kind: str, prefix: str = "wdg") -> str:
    """A container name no concurrent test run will pick too."""
    return f"{prefix}-{kind}-{uuid.uuid4().hex[:6]}"


def wait_until(pred, timeout: float = 10.0) -> bool:
    """Poll ``pred`` every 0.1 s until it is true or ``timeout`` runs out; its last answer."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()
