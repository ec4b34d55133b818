"""Which config entries name local weight files: the one rule behind parameter counts, the contract
check and the sweep's "needs local weights"."""

from __future__ import annotations

# A config key names local weights when it contains one of these (pretrained, pretrained_blip2, path, ...).
WEIGHT_KEYS = ("pretrained", "path", "checkpoint")


def is_weight_entry(key: str, value) -> bool:
    """Whether ``key: value`` names a local weights file or folder (a string under a weight key)."""
    return isinstance(value, str) and any(word in str(key) for word in WEIGHT_KEYS)


def weight_paths(cfg, key: str = "") -> list[str]:
    """The local weight paths a (model) config names, in config order."""
    if isinstance(cfg, dict):
        return [p for k, v in cfg.items() for p in weight_paths(v, str(k))]
    if isinstance(cfg, list | tuple):
        return [p for v in cfg for p in weight_paths(v, key)]
    return [cfg] if is_weight_entry(key, cfg) else []


def without_weights(cfg):
    """Copy of a config that needs no local files: weight paths set to None, pretrained tokenizers swapped
    for a tiny ``HashingTokenizer`` of the same ``max_length`` (tokenizers hold no parameters)."""
    if isinstance(cfg, dict):
        if cfg.get("type") == "PretrainedTokenizer":
            return dict(type="HashingTokenizer", vocab_size=3, max_length=cfg.get("max_length", 32))
        return {k: (None if is_weight_entry(k, v) else without_weights(v)) for k, v in cfg.items()}
    if isinstance(cfg, list | tuple):
        return type(cfg)(without_weights(v) for v in cfg)
    return cfg
