import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # autograder/ and tests/ as packages

# Tests compare against torch on the CPU unless told otherwise; matplotlib never opens a window.
os.environ.setdefault("MPLBACKEND", "Agg")
