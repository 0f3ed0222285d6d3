"""Many runs: experiment files and sampled designs, the runner and its executors, the results store, sweeps, exports and paired comparisons."""
