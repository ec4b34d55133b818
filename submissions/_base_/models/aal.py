# The AAL adaptation (paper Sec. 3.2): the BERT reference embedding is added to the pooled video feature.
_base_ = ["./referring_bert.py"]
model = dict(fusion=dict(type="AdditiveFusion", dim=256))
