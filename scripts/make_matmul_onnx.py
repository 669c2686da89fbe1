#!/usr/bin/env python3
"""The kernel microbenchmark's models: Y[1,M,N] = X[1,M,K] @ W[K,N] with W a random initializer and M
dynamic, one file per dtype and weight shape, each with the op pattern of that dtype's model files
(scripts/quantize_onnx.py's own functions make them):

  matmul_fp32_KxN.onnx   MatMul;
  matmul_fp16_KxN.onnx   Cast to float16, MatMul with a float16 weight, Cast back (the fp16 files'
                         MatMul, fed and read in float32 like the others);
  matmul_q8_KxN.onnx     DynamicQuantizeLinear + MatMulInteger + Cast + Mul (model_quantized.onnx);
  matmul_q4_KxN.onnx     MatMulNBits, 4 bits, block 32 (model_q4.onnx).

The benchmark measures each runtime's throughput per kernel with them (2*M*K*N FLOP per run).
Needs Debian's python3-onnx and numpy (use /usr/bin/python3)."""
import argparse, os, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quantize_onnx import make_q4, make_q8, to_fp16_array  # noqa: E402

# The weight shapes of the SmolLM2-135M-shaped model (q/o projections, gate/up, down) and a square one.
SHAPES = [(576, 576), (576, 1536), (1536, 576), (1536, 1536)]


def fp32_model(k, n, weight):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["Y"], name="matmul")],
        "matmul",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, "m", k])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, "m", n])],
        [numpy_helper.from_array(weight, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    return model


def fp16_model(k, n, weight):
    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["X"], ["X16"], name="in", to=TensorProto.FLOAT16),
            helper.make_node("MatMul", ["X16", "W"], ["Y16"], name="matmul"),
            helper.make_node("Cast", ["Y16"], ["Y"], name="out", to=TensorProto.FLOAT),
        ],
        "matmul",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, "m", k])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, "m", n])],
        [numpy_helper.from_array(to_fp16_array(weight), "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    return model


MAKERS = {
    "fp32": fp32_model,
    "fp16": fp16_model,
    "q8": lambda k, n, w: make_q8(fp32_model(k, n, w)),
    "q4": lambda k, n, w: make_q4(fp32_model(k, n, w)),
}

ap = argparse.ArgumentParser()
ap.add_argument("--out-dir", required=True)
a = ap.parse_args()
os.makedirs(a.out_dir, exist_ok=True)
rng = np.random.default_rng(0)
for k, n in SHAPES:
    w = (rng.standard_normal((k, n)) * 0.02).astype(np.float32)
    for dtype, make in MAKERS.items():
        path = os.path.join(a.out_dir, f"matmul_{dtype}_{k}x{n}.onnx")
        onnx.save(make(k, n, w), path)
print(f"wrote {len(SHAPES) * len(MAKERS)} kernel models to {a.out_dir}")
