"""DriveGPT pipeline stage: train."""
