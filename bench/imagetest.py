"""The image test (image/test/image-test.py) as a module, for the benchmarks that boot the image in QEMU: its
machine, its boots and its measurements, so a benchmark boots the box exactly as the test does."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "image" / "test"))


def load():
    spec = importlib.util.spec_from_file_location("image_test", ROOT / "image" / "test" / "image-test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
