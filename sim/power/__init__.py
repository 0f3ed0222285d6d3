"""Voting power: exact and sampled Shapley–Shubik and Banzhaf indices, and their plain-text report."""
