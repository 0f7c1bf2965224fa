"""Benchmarks of the offline evaluation: the program against a bare-script floor (python -m bench)."""
