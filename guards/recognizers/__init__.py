"""The guard's recognizers (Presidio classes). Importing this package imports every module in it, so
that `guards/config/recognizers.yaml` can name their classes the way Presidio's registry names its
own: a new recognizer is a class in a module here plus one line in that file."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
