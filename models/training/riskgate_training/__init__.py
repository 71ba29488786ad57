"""riskgate training pipeline: LightGBM fraud model -> calibrated ONNX artifact + manifest.

Modules have one job each so that the pieces the TypeScript service mirrors (calibration
formula, threshold semantics) are easy to find and test in isolation.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
