"""RefAVA data: the authors' format reader, frame sources, pipeline steps and detections files.

Importing this package registers ``RefAVADataset`` (DATASETS) and the pipeline steps (TRANSFORMS).
"""

from ravar_bench.data.dataset import RefAVADataset
from ravar_bench.data.transforms import DecodeFrames, PackRAVARInputs, ResizeClip, SampleClip

__all__ = ["DecodeFrames", "PackRAVARInputs", "RefAVADataset", "ResizeClip", "SampleClip"]
