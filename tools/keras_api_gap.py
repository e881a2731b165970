"""List the public names of Keras 3 that lamina lacks, module by module.

Run with Keras 3 installed (``pip install keras``; only this script imports it, lamina
never does)::

    python tools/keras_api_gap.py            # every module
    python tools/keras_api_gap.py ops layers # some modules

Keras is imported with its NumPy backend, so no other engine is needed.
"""

import importlib
import os
import sys

MODULES = ("layers", "ops", "ops.image", "ops.nn", "random", "activations", "losses",
           "metrics", "optimizers", "optimizers.schedules", "callbacks", "initializers",
           "regularizers", "constraints", "utils", "models", "config", "datasets",
           "preprocessing", "saving", "backend")


def public_names(module):
    return {n for n in dir(module) if not n.startswith("_")}


def gap(name):
    """(names Keras 3 has in ``keras.<name>``, the ones ``lamina.<name>`` lacks)."""
    keras_names = public_names(importlib.import_module(f"keras.{name}" if name else "keras"))
    try:
        lamina_names = public_names(importlib.import_module(f"lamina.{name}" if name else "lamina"))
    except ImportError:
        lamina_names = set()
    return keras_names, sorted(keras_names - lamina_names)


def main(argv):
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    if not argv:
        top = gap("")[1]
        print(f"keras: {len(top)} missing: {' '.join(top)}")
    for name in argv or MODULES:
        keras_names, missing = gap(name)
        print(f"keras.{name}: {len(missing)} of {len(keras_names)} missing: {' '.join(missing)}")


if __name__ == "__main__":
    main(sys.argv[1:])
