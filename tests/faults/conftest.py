"""Make server/ (dev CSMS), tests/interop/ (the simulator harness) and this directory importable."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for path in (ROOT / "server", ROOT / "tests" / "interop", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
