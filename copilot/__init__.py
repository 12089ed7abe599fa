"""Campaign Copilot: brand-grounded email copy, honest A/B tests, offline by default."""

import os

# llama.cpp's OpenMP threads spin while they wait; with other work on the CPUs that made a five-step
# sequence 361 s instead of 96.5 s with PASSIVE (quiet machine: 41.1 s vs 43.1 s), see
# docs/benchmarks.md. OpenMP reads this once when it loads, so it is set here, before anything in
# the package imports llama_cpp or torch; a value the user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
