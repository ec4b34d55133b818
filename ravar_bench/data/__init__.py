"""RefAVA data: the authors' format reader, frame sources, pipeline steps and detections files.

``RefAVADataset`` (``data.dataset``, in DATASETS) and the pipeline steps (``data.transforms``, in
TRANSFORMS) are imported by the registries on first lookup; importing this package loads nothing heavy.
"""
