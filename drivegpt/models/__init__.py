"""Models built from drivegpt.nn layers."""
from drivegpt.models.gpt import GPT, GPTConfig

__all__ = ["GPT", "GPTConfig"]
