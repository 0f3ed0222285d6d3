"""Figures of runs, sweeps and comparisons: data preparation, plots and the house style."""
