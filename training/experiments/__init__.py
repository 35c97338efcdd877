"""One-off experiments, run from training/ as modules: python3 -m experiments.NAME."""
