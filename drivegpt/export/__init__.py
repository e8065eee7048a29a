"""ONNX export: trace an engine model into standard ONNX ops (trace.py, graph.py), and openpilot's driving model layout
(openpilot.py)."""
from drivegpt.export.graph import ExportError, OP_TYPES, to_float16  # noqa: F401
from drivegpt.export.trace import export_onnx  # noqa: F401
