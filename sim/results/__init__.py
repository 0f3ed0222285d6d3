"""One run's results: the outcome, its metrics, the terminal summary, and the files a run writes."""
