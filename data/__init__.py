"""DriveGPT pipeline stage: data."""
