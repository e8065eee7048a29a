"""DriveGPT pipeline stage: sim."""
