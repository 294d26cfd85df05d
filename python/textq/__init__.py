"""textq from Python: TextSnake text detection on CPU (FP32 or INT8) and
MMOCR-exact hmean-IoU evaluation, on the same library as the `textq` CLI.

    m = textq.Model("model.textq", threads=2)
    for polygon, score in m.detect(bgr):        # HxWx3 uint8, read in place
        ...
    print(textq.evaluate("preds.json", "instances_test.json", metric="mmocr0"))

Errors raise textq.Error subclasses (InvalidArgumentError, InvalidFileError,
UnsupportedError, FileError, InternalError) whose message is the CLI's.
"""
from ._textq import (  # noqa: F401
    Error,
    FileError,
    InternalError,
    InvalidArgumentError,
    InvalidFileError,
    Model,
    UnsupportedError,
    __version__,
    convert,
    eval_shard,
    evaluate,
    merge_parts,
    quantize,
)

__all__ = [
    "Error", "FileError", "InternalError", "InvalidArgumentError", "InvalidFileError", "UnsupportedError",
    "Model", "convert", "quantize", "evaluate", "eval_shard", "merge_parts", "__version__",
]
