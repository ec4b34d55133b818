"""The harness's registries: scoped children of MMEngine's roots.

Every buildable piece (models, datasets, pipeline steps, metrics, perturbations) is registered in
scope ``ravar_bench``. ``locations`` lets a lookup import the defining package on demand, so
``MODELS.build(dict(type="RefAtomNet"))`` works without importing the model code first.
"""

from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

SCOPE = "ravar_bench"

MODELS = Registry("model", parent=MMENGINE_MODELS, scope=SCOPE,
                  locations=["ravar_bench.models", "ravar_bench.models.external"])
DATASETS = Registry("dataset", parent=MMENGINE_DATASETS, scope=SCOPE,
                    locations=["ravar_bench.data"])
TRANSFORMS = Registry("transform", parent=MMENGINE_TRANSFORMS, scope=SCOPE,
                      locations=["ravar_bench.data", "ravar_bench.perturbations"])
METRICS = Registry("metric", parent=MMENGINE_METRICS, scope=SCOPE,
                   locations=["ravar_bench.metrics"])
# A new root: MMEngine has no notion of a test-time corruption.
PERTURBATIONS = Registry("perturbation", scope=SCOPE, locations=["ravar_bench.perturbations"])
