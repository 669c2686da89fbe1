#!/usr/bin/env python3
"""One large fp32 MatMul as an ONNX model: Y[M,N] = X[M,K] @ W[K,N], W a random initializer.
The benchmark measures the runtime's own MatMul throughput with it (2*M*K*N FLOP per run).
Needs Debian's python3-onnx and numpy (use /usr/bin/python3)."""
import argparse
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--m", type=int, default=512)
ap.add_argument("--k", type=int, default=1536)
ap.add_argument("--n", type=int, default=1536)
a = ap.parse_args()
w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((a.k, a.n)).astype(np.float32) * 0.02, "W")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["X", "W"], ["Y"])],
    "matmul",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [a.m, a.k])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [a.m, a.n])],
    [w],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
model.ir_version = 8
onnx.save(model, a.out)
print(f"wrote {a.out}: {a.m}x{a.k} @ {a.k}x{a.n}")
