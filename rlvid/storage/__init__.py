"""What the kit writes and reads back: atomic files, checkpoints, run folders and per-seed
results of long runs."""
