"""Speed and quality benchmarks against named baselines; run each with ``python -m benchmarks.<name>``."""
