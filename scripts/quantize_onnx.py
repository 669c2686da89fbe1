#!/usr/bin/env python3
"""Writes the quantized variants of a transformers.js causal LM folder (onnx/model.onnx, fp32) with the
op patterns of the Hugging Face onnx-community files, using only onnx and numpy:

  onnx/model_fp16.onnx       every float tensor, input and output in float16, as onnxconverter-common's
                             convert_float_to_float16(keep_io_types=False) writes the hub's fp16 files
                             (constants beyond +-1e4 clipped to +-1e4, its default);
  onnx/model_quantized.onnx  q8, as ONNX Runtime's quantize_dynamic (IntegerOps) writes transformers.js's
                             model_quantized.onnx: each MatMul with a constant weight becomes
                             DynamicQuantizeLinear(A) + MatMulInteger(A_q, W_q, A_zp, W_zp) + Cast + Mul by
                             A_scale*W_scale, weights int8, per column, symmetric, reduce_range (-64..64);
                             the embedding Gather reads int8 weights through DequantizeLinear;
  onnx/model_q4.onnx         q4, as onnxruntime's MatMulNBitsQuantizer (block_size=32, is_symmetric=True)
                             writes transformers.js's model_q4.onnx: each MatMul with a constant weight
                             becomes com.microsoft MatMulNBits (bits=4, block_size=32, zero point 8), the
                             embedding stays float32.

Inputs and outputs keep their names (the KV-cache inputs included). With --out, the folder's config and
tokenizer files are copied there with model.onnx, so --out is a complete model folder (the source may be
read-only, e.g. ../shared/models/stories260K). Needs Debian's python3-onnx and numpy (/usr/bin/python3).
Generated files are not committed.
"""
import argparse, os, shutil
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FP16_CLIP = 1e4  # onnxconverter-common's max_finite_val
FP16_TINY = 1e-7  # and its min_positive_val


def const_weights(graph):
    return {i.name: i for i in graph.initializer}


def matmuls_with_weights(graph):
    inits = const_weights(graph)
    return [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits and len(inits[n.input[1]].dims) == 2]


def replace_initializers(graph, drop, add):
    kept = [i for i in graph.initializer if i.name not in drop]
    del graph.initializer[:]
    graph.initializer.extend(kept + add)


def unused_weights(graph, candidates):
    used = {x for n in graph.node for x in n.input}
    return {c for c in candidates if c not in used}


# ---------- fp16 ----------

def to_fp16_array(a):
    a = a.astype(np.float32)
    a = np.where(np.abs(a) > FP16_CLIP, np.sign(a) * FP16_CLIP, a)
    a = np.where((a > 0) & (a < FP16_TINY), FP16_TINY, a)
    a = np.where((a < 0) & (a > -FP16_TINY), -FP16_TINY, a)
    return a.astype(np.float16)


def tensor_to_fp16(t):
    if t.data_type != TensorProto.FLOAT:
        return t
    return numpy_helper.from_array(to_fp16_array(numpy_helper.to_array(t)), t.name)


def make_fp16(model):
    g = model.graph
    new = [tensor_to_fp16(t) for t in g.initializer]
    del g.initializer[:]
    g.initializer.extend(new)
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(tensor_to_fp16(a.t))
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    del g.value_info[:]  # ONNX Runtime infers the intermediate types again
    return model


# ---------- q8 (dynamic quantization, IntegerOps) ----------

def quantize_int8_per_column(w):
    """Symmetric int8 per output column with reduce_range: q in [-64, 64], zero point 0."""
    amax = np.abs(w).max(axis=0)
    scale = np.where(amax > 0, amax / 64.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -64, 64).astype(np.int8)
    return q, scale, np.zeros(w.shape[1], dtype=np.int8)


def make_q8(model):
    g = model.graph
    inits = const_weights(g)
    targets = {n.name for n in matmuls_with_weights(g)}
    nodes, added, drop, quantized_inputs = [], [], set(), {}
    for n in g.node:
        if n.name in targets:
            a, w_name = n.input
            if a not in quantized_inputs:
                names = (f"{a}_quantized", f"{a}_scale", f"{a}_zero_point")
                nodes.append(helper.make_node("DynamicQuantizeLinear", [a], list(names), name=f"{a}_QuantizeLinear"))
                quantized_inputs[a] = names
            aq, ascale, azp = quantized_inputs[a]
            q, scale, zp = quantize_int8_per_column(numpy_helper.to_array(inits[w_name]).astype(np.float32))
            added += [numpy_helper.from_array(q, f"{w_name}_quantized"), numpy_helper.from_array(scale, f"{w_name}_scale"),
                      numpy_helper.from_array(zp, f"{w_name}_zero_point")]
            drop.add(w_name)
            out = n.output[0]
            nodes += [
                helper.make_node("MatMulInteger", [aq, f"{w_name}_quantized", azp, f"{w_name}_zero_point"],
                                 [f"{out}_output_quantized"], name=f"{n.name}_quant"),
                helper.make_node("Cast", [f"{out}_output_quantized"], [f"{out}_output_quantized_cast_output"],
                                 name=f"{n.name}_quant_output_cast", to=TensorProto.FLOAT),
                helper.make_node("Mul", [ascale, f"{w_name}_scale"], [f"{out}_quant_scales_mul:0"], name=f"{n.name}_quant_scales_mul"),
                helper.make_node("Mul", [f"{out}_output_quantized_cast_output", f"{out}_quant_scales_mul:0"], [out],
                                 name=f"{n.name}_quant_output_scale_mul"),
            ]
        elif n.op_type == "Gather" and n.input[0] in inits and len(inits[n.input[0]].dims) == 2:
            w_name = n.input[0]
            w = numpy_helper.to_array(inits[w_name]).astype(np.float32)
            scale = np.float32(max(np.abs(w).max(), 1e-12) / 64.0)
            q = np.clip(np.rint(w / scale), -64, 64).astype(np.int8)
            added += [numpy_helper.from_array(q, f"{w_name}_quantized"), numpy_helper.from_array(np.array(scale, np.float32), f"{w_name}_scale"),
                      numpy_helper.from_array(np.array(0, np.int8), f"{w_name}_zero_point")]
            drop.add(w_name)
            out = n.output[0]
            nodes += [
                helper.make_node("Gather", [f"{w_name}_quantized", n.input[1]], [f"{out}_quantized"], name=f"{n.name}_quant",
                                 axis=next((a.i for a in n.attribute if a.name == "axis"), 0)),
                helper.make_node("DequantizeLinear", [f"{out}_quantized", f"{w_name}_scale", f"{w_name}_zero_point"], [out],
                                 name=f"{n.name}_DequantizeLinear"),
            ]
        else:
            nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    replace_initializers(g, unused_weights(g, drop), added)
    return model


# ---------- q4 (MatMulNBits, block 32, symmetric) ----------

BLOCK = 32


def quantize_q4_blockwise(w):
    """w [K, N] -> packed uint8 [N, blocks, 16], scales [N * blocks] (zero point 8 implied)."""
    k, n = w.shape
    blocks = -(-k // BLOCK)
    padded = np.zeros((blocks * BLOCK, n), dtype=np.float32)
    padded[:k] = w
    cols = padded.T.reshape(n, blocks, BLOCK)
    # the value of largest magnitude maps to -8, as MLAS's symmetric blockwise quantizer does
    idx = np.abs(cols).argmax(axis=2)
    vmax = np.take_along_axis(cols, idx[..., None], axis=2)[..., 0]
    scale = np.where(vmax != 0, vmax / -8.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(cols / scale[..., None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    return packed, scale.reshape(-1)


def make_q4(model):
    g = model.graph
    inits = const_weights(g)
    targets = {n.name for n in matmuls_with_weights(g)}
    nodes, added, drop = [], [], set()
    for n in g.node:
        if n.name not in targets:
            nodes.append(n)
            continue
        a, w_name = n.input
        w = numpy_helper.to_array(inits[w_name]).astype(np.float32)
        packed, scales = quantize_q4_blockwise(w)
        added += [numpy_helper.from_array(packed, f"{w_name}_Q4"), numpy_helper.from_array(scales, f"{w_name}_scales")]
        drop.add(w_name)
        nodes.append(helper.make_node("MatMulNBits", [a, f"{w_name}_Q4", f"{w_name}_scales"], list(n.output),
                                      name=f"{n.name}_Q4", domain="com.microsoft", K=w.shape[0], N=w.shape[1], bits=4,
                                      block_size=BLOCK))
    del g.node[:]
    g.node.extend(nodes)
    replace_initializers(g, unused_weights(g, drop), added)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


VARIANTS = {"fp16": ("model_fp16.onnx", make_fp16), "q8": ("model_quantized.onnx", make_q8), "q4": ("model_q4.onnx", make_q4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="a transformers.js model folder with onnx/model.onnx (fp32)")
    ap.add_argument("--out", help="folder to write (default: --model itself)")
    ap.add_argument("--dtypes", default="fp16,q8,q4")
    a = ap.parse_args()
    out = a.out or a.model
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    if os.path.abspath(out) != os.path.abspath(a.model):
        for f in os.listdir(a.model):
            if os.path.isfile(os.path.join(a.model, f)):
                shutil.copy(os.path.join(a.model, f), os.path.join(out, f))
        shutil.copy(os.path.join(a.model, "onnx", "model.onnx"), os.path.join(out, "onnx", "model.onnx"))
        os.chmod(os.path.join(out, "onnx", "model.onnx"), 0o644)
    source = os.path.join(a.model, "onnx", "model.onnx")
    for d in a.dtypes.split(","):
        name, make = VARIANTS[d]
        model = make(onnx.load(source))
        path = os.path.join(out, "onnx", name)
        onnx.save(model, path)
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
