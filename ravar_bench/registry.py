"""The harness's registries: scoped children of MMEngine's roots.

Every buildable piece (models, datasets, pipeline steps, metrics, hooks, perturbations) is registered
in scope ``ravar_bench``. ``locations`` lets a lookup import the defining package on demand, so
``MODELS.build(dict(type="RefAtomNet"))`` works without importing the model code first.
"""

import copy

from ravar_bench import _compat

_compat.apply()  # before any lookup imports mmdet.models or mmaction.models, or a Runner loads a checkpoint

from mmengine import registry as mmengine_registry  # noqa: E402
from mmengine.registry import DefaultScope, Registry  # noqa: E402

SCOPE = "ravar_bench"


def _child(parent: Registry, locations: list[str] | None = None) -> Registry:
    return Registry(parent.name, parent=parent, scope=SCOPE, locations=locations or [])


MODELS = _child(mmengine_registry.MODELS, ["ravar_bench.models", "ravar_bench.models.external"])
DATASETS = _child(mmengine_registry.DATASETS, ["ravar_bench.data.dataset"])
TRANSFORMS = _child(mmengine_registry.TRANSFORMS,
                    ["ravar_bench.data.transforms", "ravar_bench.perturbations.transform"])
METRICS = _child(mmengine_registry.METRICS, ["ravar_bench.metrics.ravar_metric"])
HOOKS = _child(mmengine_registry.HOOKS, ["ravar_bench.engine.progress"])
# A new root: MMEngine has no notion of a test-time corruption.
PERTURBATIONS = Registry("perturbation", scope=SCOPE, locations=["ravar_bench.perturbations"])

# Empty children of the other roots the Runner builds from (loops, optimizers, schedulers, ...), as
# MMDetection and MMAction2 keep them: with default_scope "ravar_bench" every lookup then resolves in
# our scope and falls back to MMEngine's entries, without a warning per registry.
RUNNER_REGISTRIES = tuple(
    _child(getattr(mmengine_registry, name))
    for name in ("RUNNERS", "RUNNER_CONSTRUCTORS", "DATA_SAMPLERS", "WEIGHT_INITIALIZERS", "OPTIMIZERS",
                 "OPTIM_WRAPPER_CONSTRUCTORS", "TASK_UTILS", "PARAM_SCHEDULERS", "MODEL_WRAPPERS", "OPTIM_WRAPPERS",
                 "LOOPS", "VISBACKENDS", "VISUALIZERS", "LOG_PROCESSORS", "EVALUATOR", "INFERENCERS", "FUNCTIONS",
                 "STRATEGIES")
)


def build(registry: Registry, cfg: dict):
    """``registry.build(cfg)`` in scope ravar_bench, whatever default scope a Runner left behind
    (MMEngine resolves nested types through the process-wide ``DefaultScope``), on a copy of ``cfg``:
    some third-party modules edit the dicts they are built from (mmdet's DETRHead puts a tensor into
    its ``loss_cls``), which would corrupt the config that results record."""
    with DefaultScope.overwrite_default_scope(SCOPE):
        return registry.build(copy.deepcopy(cfg))
