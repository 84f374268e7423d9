"""Evaluation of the pipeline: planted-front recovery, backtests and their metrics."""
