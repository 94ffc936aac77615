"""Killing a child process at a random moment of its work, for the "nothing lost" tests."""

from __future__ import annotations

import random
import signal
import subprocess
import time


def kill_while_working(child: subprocess.Popen[str], rng: random.Random) -> None:
    """Wait for the child's "ready" line, let it write for 0-50 ms, then SIGKILL it."""
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.05))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
