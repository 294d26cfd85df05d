#!/usr/bin/python3
"""Writes the small ONNX files the CLI checks and the ONNX fuzzer's seeds use
(tests/data/onnx/small/; each well under 4 KB). Run from the repository root:

    /usr/bin/python3 scripts/make_onnx_fixtures.py

tiny_det.onnx is a valid miniature detector using every op family textq's
importer folds (Conv + BatchNormalization + Relu, the hardswish pattern, an SE
block with HardSigmoid, constant Resize scales, ConvTranspose, Sigmoid); the
others each break one rule textq must refuse with one line.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = "tests/data/onnx/small"
rng = np.random.default_rng(12)


def t(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)


def model(nodes, inits, outputs=("y",), opset=11):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "h", "w"])
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs]
    g = helper.make_graph(nodes, "g", [x], outs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="textq-fixture")
    m.ir_version = 7
    return m


def save(name, m):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(m.SerializeToString())


def tiny_det():
    n = helper.make_node
    c = lambda v: numpy_helper.from_array(np.array(v, dtype=np.float32))
    inits = [t("w0", 8, 3, 3, 3), t("g0", 8), t("b0", 8), t("m0", 8), numpy_helper.from_array(np.abs(rng.standard_normal(8)).astype(np.float32) + 0.5, "v0"),
             t("w1", 8, 1, 3, 3), t("ws1", 4, 8, 1, 1), t("ws2", 8, 4, 1, 1), t("wd", 8, 1, 2, 2)]
    for name, v in (("three", 3.0), ("zero", 0.0), ("six", 6.0)):
        a = c(v)
        a.name = name
        inits.append(a)
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales"))
    inits.append(numpy_helper.from_array(np.zeros(0, dtype=np.float32), "roi"))
    nodes = [
        n("Conv", ["x", "w0"], ["c0"], pads=[1, 1, 1, 1], strides=[2, 2], name="stem"),
        n("BatchNormalization", ["c0", "g0", "b0", "m0", "v0"], ["bn0"], name="stem_bn"),
        n("Relu", ["bn0"], ["r0"], name="stem_relu"),
        n("Conv", ["r0", "w1"], ["c1"], pads=[1, 1, 1, 1], group=8, name="dw"),
        n("Add", ["c1", "three"], ["p3"]), n("Clip", ["p3", "zero", "six"], ["cl"]),
        n("Mul", ["c1", "cl"], ["mm"]), n("Div", ["mm", "six"], ["hs"]),
        n("GlobalAveragePool", ["hs"], ["gap"]), n("Conv", ["gap", "ws1"], ["s1"]), n("Relu", ["s1"], ["s2"]),
        n("Conv", ["s2", "ws2"], ["s3"]), n("HardSigmoid", ["s3"], ["gate"], alpha=0.2, beta=0.5),
        n("Mul", ["hs", "gate"], ["se"]),
        n("Resize", ["se", "roi", "scales"], ["up"], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        n("ConvTranspose", ["up", "wd"], ["d"], strides=[2, 2], group=8, name="deconv"),
        n("Sigmoid", ["d"], ["y"]),
    ]
    return model(nodes, inits)


def broken():
    n = helper.make_node
    w = t("w", 4, 3, 1, 1)
    out = {}
    out["unknown_op.onnx"] = model([n("Conv", ["x", "w"], ["c"]), n("Einsum", ["c"], ["y"], name="mystery", equation="ij->ji")], [w])
    out["missing_initializer.onnx"] = model([n("Conv", ["x", "nowhere"], ["y"], name="conv_a")], [])
    out["cycle.onnx"] = model([n("Relu", ["b"], ["a"], name="r1"), n("Relu", ["a"], ["b"], name="r2"), n("Relu", ["b"], ["y"], name="r3")], [])
    bad = t("w", 4, 3, 1, 1)
    bad.raw_data = bad.raw_data[:-4]
    out["raw_data_mismatch.onnx"] = model([n("Conv", ["x", "w"], ["y"])], [bad])
    neg = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 1, 1], np.zeros(12, np.float32).tobytes(), raw=True)
    neg.dims[1] = -3
    out["negative_dims.onnx"] = model([n("Conv", ["x", "w"], ["y"])], [neg])
    huge = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 1, 1], np.zeros(12, np.float32).tobytes(), raw=True)
    huge.dims[:] = [1 << 40, 1 << 40, 1, 1]
    out["huge_dims.onnx"] = model([n("Conv", ["x", "w"], ["y"])], [huge])
    ext = onnx.TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 3, 1, 1])
    ext.data_location = TensorProto.EXTERNAL
    e = ext.external_data.add()
    e.key, e.value = "location", "../../../etc/passwd"
    out["external_data.onnx"] = model([n("Conv", ["x", "w"], ["y"])], [ext])
    return out


def main():
    save("tiny_det.onnx", tiny_det())
    for name, m in broken().items():
        save(name, m)
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    main()
