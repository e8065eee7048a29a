"""DriveGPT pipeline stage: rl."""
