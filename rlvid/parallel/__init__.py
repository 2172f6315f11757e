"""Many processes: data parallelism under torchrun and seeds in parallel."""
